import { loadMigrations } from '../../src/database/migrator.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { json } from '../support/http.js';
import { type RunningApp, startApp } from '../support/test-app.js';

describe('the service over HTTP', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp();
  });

  afterAll(async () => {
    await running.close();
  });

  it('answers liveness without touching the database', async () => {
    const response = await fetch(`${running.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ status: 'ok' });
  });

  it('is ready once the database answers and every migration is applied', async () => {
    const response = await fetch(`${running.baseUrl}/health/ready`);
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, migrations: { status: 'up' } } });
  });

  it('reports not ready, with the reason, when a migration is missing', async () => {
    const db = running.app.get(SqlClient);
    const [first] = loadMigrations();
    await db.query('DELETE FROM schema_migrations WHERE version = 1');
    try {
      const response = await fetch(`${running.baseUrl}/health/ready`);
      expect(response.status).toBe(503);
      expect(await json(response)).toMatchObject({
        status: 503,
        code: 'service_unavailable',
        checks: { status: 'error', error: { migrations: { status: 'down', pending: [1] } } },
      });
    } finally {
      await db.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [first!.version, first!.name, first!.checksum]);
    }
  });

  it('echoes an acceptable correlation id and makes one up otherwise', async () => {
    const given = await fetch(`${running.baseUrl}/health`, { headers: { 'x-correlation-id': 'caller-chosen-id-123' } });
    expect(given.headers.get('x-correlation-id')).toBe('caller-chosen-id-123');
    const hostile = await fetch(`${running.baseUrl}/health`, { headers: { 'x-correlation-id': '<script>alert(1)</script>' } });
    expect(hostile.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with RFC 9457 problem details, never a stack trace', async () => {
    const response = await fetch(`${running.baseUrl}/nowhere`, { headers: { 'x-correlation-id': 'trace-me-please' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = await json(response);
    expect(body).toEqual({
      type: 'urn:spie-parcours:problem:not_found',
      title: expect.any(String),
      status: 404,
      code: 'not_found',
      correlationId: 'trace-me-please',
    });
  });

  it('answers unreadable JSON with 400 and too large a body with 413, as problem details', async () => {
    const malformed = await fetch(`${running.baseUrl}/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken":',
    });
    expect(malformed.status).toBe(400);
    expect(await json(malformed)).toMatchObject({ status: 400, code: 'bad_request' });

    const huge = await fetch(`${running.baseUrl}/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filler: 'x'.repeat(running.config.bodyLimitBytes + 10) }),
    });
    expect(huge.status).toBe(413);
    expect(await json(huge)).toMatchObject({ status: 413, code: 'payload_too_large' });
  });
});
