import { createServer } from 'node:net';
import { Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { createLogger, loggableError, PinoNestLogger } from '../../src/http/logging.js';
import { type TestDatabase, databaseTargets } from '../support/test-database.js';

/**
 * Finding 5 and the logger part of finding 8 of issue 12: a database error logged with its query
 * and parameters put request data in the log; an error given to the Nest logger lost its message,
 * so the exit line of a failed start said nothing of what failed. Real driver errors, a real
 * refused connection, the real pino output.
 */
function captured(): { lines: () => Array<Record<string, unknown>>; text: () => string; logger: PinoNestLogger } {
  const written: string[] = [];
  const pino = createLogger({ logLevel: 'info' }, { write: (line: string) => void written.push(line) });
  return { lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>), text: () => written.join(''), logger: new PinoNestLogger(pino) };
}

/** A port nothing listens on: one the system gave, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function refusedConnection(): Promise<Error> {
  const client = new pg.Client({ connectionString: `postgres://spie@127.0.0.1:${await closedPort()}/spie`, connectionTimeoutMillis: 5_000 });
  return client.connect().then(
    () => {
      throw new Error('connected to a closed port');
    },
    (error: Error) => error,
  );
}

describe.each(databaseTargets())('what the log keeps of a database error, on $name', (target) => {
  const canary = 'Kz7Canary Dupont';
  let database: TestDatabase;
  let dataError: Error;
  let duplicate: Error;

  beforeAll(async () => {
    database = await target.open({ migrate: false });
    // A value the server quotes in the message itself…
    dataError = await database.db.query('SELECT $1::date AS d', ['1987-02-30']).then(() => new Error('no error'), (error: Error) => error);
    // …and one it puts in the detail (Key (name)=(…) already exists).
    await database.db.exec('CREATE TABLE logged_names (name text PRIMARY KEY)');
    await database.db.query('INSERT INTO logged_names VALUES ($1)', [canary]);
    duplicate = await database.db.query('INSERT INTO logged_names VALUES ($1)', [canary]).then(() => new Error('no error'), (error: Error) => error);
  });

  afterAll(async () => {
    await database?.close();
  });

  it('provoked errors that do quote the values (the premise of the test)', () => {
    expect(dataError.message).toContain('1987-02-30');
    expect(JSON.stringify({ ...duplicate, message: duplicate.message })).toContain(canary);
  });

  it('keeps the class, the SQLSTATE and the stack frames, never the message, query, parameters or detail', () => {
    for (const [error, code] of [
      [dataError, '22008'],
      [duplicate, '23505'],
    ] as const) {
      const logged = loggableError(error, { withMessage: true });
      expect(logged).toMatchObject({ type: 'DatabaseError', code, severity: 'ERROR' });
      expect(logged.message).toBeUndefined();
      const text = JSON.stringify(logged);
      expect(text).not.toContain('1987-02-30');
      expect(text).not.toContain(canary);
      expect(text).not.toMatch(/SELECT|INSERT/);
    }
  });

  it('writes no value through the Nest logger, alone or as a property of a structured line (projection runners, schedulers)', () => {
    const log = captured();
    log.logger.error(dataError, 'ContinuityScheduler');
    log.logger.error({ projection: 'caseload', err: duplicate }, 'projection batch failed; retrying', 'Projections');
    expect(log.lines()).toEqual([
      expect.objectContaining({ context: 'ContinuityScheduler', err: expect.objectContaining({ code: '22008' }), msg: expect.stringMatching(/^DatabaseError 22008: raised by \w+$/) }),
      expect.objectContaining({ context: 'Projections', projection: 'caseload', err: expect.objectContaining({ code: '23505' }), msg: 'projection batch failed; retrying' }),
    ]);
    expect(log.text()).not.toContain('1987-02-30');
    expect(log.text()).not.toContain(canary);
  });
});

describe('what the log says of a failed start', () => {
  it('says what failed when the database refuses the connection: class, code and message', async () => {
    const log = captured();
    log.logger.error(await refusedConnection(), undefined, 'ExceptionHandler');
    const [line] = log.lines();
    expect(line).toMatchObject({ level: 50, context: 'ExceptionHandler', err: { code: 'ECONNREFUSED' } });
    expect(line!.msg).toMatch(/ECONNREFUSED.*127\.0\.0\.1:\d+/);
    expect((line!.err as { stack: string }).stack).toMatch(/^\s+at /);
  });

  it('logs the error that stops Nest at start-up with its message, through the logger the service gives Nest', async () => {
    const log = captured();
    const connection = Symbol('connection');
    @Module({
      providers: [
        {
          provide: connection,
          useFactory: async () => {
            throw await refusedConnection();
          },
        },
      ],
    })
    class Unreachable {
      constructor(@Inject(connection) readonly client: unknown) {}
    }
    await expect(NestFactory.createApplicationContext(Unreachable, { logger: log.logger, abortOnError: false })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const failure = log.lines().find((line) => line.level === 50);
    expect(failure).toMatchObject({ context: 'ExceptionHandler', err: { type: 'Error', code: 'ECONNREFUSED' } });
    expect(failure!.msg).toMatch(/^Error ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });
});
