/**
 * The baseline of bench:api: the least a server can do for the same requests on the same
 * database — a bare Fastify (no Nest, no authentication, no validation, no journal) whose POST
 * appends one event row with one parameterised INSERT into the same `events` table and updates
 * one `parcours_details` row, in one transaction, and whose GET selects one `parcours_details`
 * row by primary key. bench/api.ts starts it as a child process with the service's environment,
 * once the service has stopped (the embedded database takes one process), on BENCH_RAW_PORT.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Fastify from 'fastify';
import pg from 'pg';
import { PgliteSqlClient } from '../src/database/pglite-sql-client.js';

interface Db {
  append(parcoursId: string, body: string): Promise<void>;
  read(parcoursId: string): Promise<unknown>;
  close(): Promise<void>;
}

const INSERT = `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, hash)
  VALUES ($1, $2, $3, 'ContactRecorded', 1, $4, '{}', now(), $5)`;
const UPDATE = 'UPDATE parcours_details SET updated_at = now(), last_activity_on = current_date WHERE parcours_id = $1';
const SELECT = 'SELECT * FROM parcours_details WHERE parcours_id = $1';

// Versions kept in memory: the baseline is the only writer of its `rawbench-` streams.
const versions = new Map<string, number>();
function nextRow(parcoursId: string, body: string): unknown[] {
  const streamId = `rawbench-${parcoursId}`;
  const version = (versions.get(streamId) ?? 0) + 1;
  versions.set(streamId, version);
  return [streamId, version, randomUUID(), body, createHash('sha256').update(body).digest()];
}

async function open(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (url) {
    // The service's own pool size, so that both wait on the same number of connections.
    const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
    return {
      async append(parcoursId, body) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(INSERT, nextRow(parcoursId, body));
          await client.query(UPDATE, [parcoursId]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      },
      read: async (parcoursId) => (await pool.query(SELECT, [parcoursId])).rows[0],
      close: () => pool.end(),
    };
  }
  // The embedded database opened as the service opens it (durable file system, fsync on).
  const db = await PgliteSqlClient.open(join(process.env.DATA_DIR!, 'pglite'), { fsync: process.env.PGLITE_FSYNC !== 'off' });
  return {
    append: (parcoursId, body) =>
      db.transaction(async (tx) => {
        await tx.query(INSERT, nextRow(parcoursId, body));
        await tx.query(UPDATE, [parcoursId]);
      }),
    read: async (parcoursId) => (await db.query(SELECT, [parcoursId]))[0],
    close: () => db.close(),
  };
}

const db = await open();
const server = Fastify({ logger: false });
server.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
server.post<{ Params: { id: string }; Body: string }>('/v1/parcours/:id/contacts', async (request, reply) => {
  await db.append(request.params.id, request.body);
  return reply.code(201).send({ ok: true });
});
server.get<{ Params: { id: string } }>('/v1/parcours/:id', async (request, reply) => {
  const row = await db.read(request.params.id);
  return row ? reply.send(row) : reply.code(404).send({});
});
server.get('/ready', async () => ({ ok: true }));
await server.listen({ port: Number(process.env.BENCH_RAW_PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => {
  void server.close().then(() => db.close()).then(() => process.exit(0));
});
