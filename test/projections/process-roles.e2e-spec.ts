import { SchedulerRegistry } from '@nestjs/schedule';
import { SqlClient } from '../../src/database/sql-client.js';
import { tryLockInSchema } from '../../src/projections/projection-tables.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { json } from '../support/http.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { databaseTargets } from '../support/test-database.js';
import { anOpening, clientWithParcours } from '../support/parcours-fixtures.js';
import { uniqueLastName } from '../support/people.js';
import { startReceiver } from '../support/webhook-receiver.js';

/** The webhook receiver listens on 127.0.0.1: allowed explicitly (a server deployment refuses loopback by default). */
const LOOPBACK_WEBHOOKS = { WEBHOOK_ALLOW_HTTP: 'on', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'on' };

/**
 * PROCESS_ROLE: an `api` process serves HTTP and projects nothing; a `worker` beside it, on the
 * same PostgreSQL, projects what the api appended. Only a server can be shared by two processes
 * (the embedded database refuses the roles: see app-config.spec.ts).
 */
const servers = databaseTargets().filter((target) => target.name === 'postgres');

// Without DATABASE_URL (the embedded database, one process) the roles are refused; with a server
// an api and a worker share it.
if (servers.length === 0) {
  describe('process roles on the embedded database', () => {
    it('refuses to start an api or a worker process: one process holds the embedded database', async () => {
      for (const role of ['api', 'worker']) await expect(startApp({ PROCESS_ROLE: role })).rejects.toThrow('PROCESS_ROLE must be "all" on the embedded database');
    });
  });
}

for (const target of servers) {
  describe(`api and worker processes on ${target.name}`, () => {
    let api: RunningApp;
    let worker: RunningApp | undefined;
    let consortium: Consortium;
    const { post, anOrientedParcours } = clientWithParcours(() => api, () => consortium);
    const lea = { firstName: 'Léa', lastName: 'Martin', birthDate: '1990-04-12' };

    beforeAll(async () => {
      api = await startApp({ PROCESS_ROLE: 'api', RATE_LIMIT_PER_MINUTE: '1000000', ...LOOPBACK_WEBHOOKS });
      consortium = await seedConsortium(api);
    });

    afterAll(async () => {
      await worker?.stop();
      await api.close();
    });

    it('the api alone runs no projection runner and no scheduled job, yet serves and reports the lag', async () => {
      const projections = api.app.get(ProjectionsService);
      expect(projections.runners.every((runner) => runner.state === 'stopped')).toBe(true);
      // A runner holds its projection's lease (an advisory lock) while it runs: every lease is free.
      const session = await api.app.get(SqlClient).session();
      try {
        for (const runner of projections.runners) expect(await tryLockInSchema(session, `projection:${runner.projection.name}`)).toBe(true);
      } finally {
        await session.close();
      }
      expect(() => api.app.get(SchedulerRegistry, { strict: false })).toThrow();

      const { parcoursId } = await post('cd63-orientation_manager', '/v1/parcours', anOpening({ identity: lea }));
      expect(parcoursId).toEqual(expect.any(String));
      const lagging = (await projections.statuses()).filter((status) => status.lagEvents > 0);
      expect(lagging.length).toBeGreaterThan(0);

      expect((await fetch(`${api.baseUrl}/health/ready`)).status).toBe(200);
      const metrics = await fetch(`${api.baseUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/spie_projection_lag_events\{projection="[a-z_]+"\} [1-9]/);
    });

    it('a worker projects what the api appended, and answers its probes and metrics only', async () => {
      worker = await startApp({ PROCESS_ROLE: 'worker', ...LOOPBACK_WEBHOOKS }, {}, { instanceOf: api });
      await worker.app.get(ProjectionsService).whenCaughtUp();
      expect(worker.app.get(SchedulerRegistry).getCronJobs().size).toBe(3);

      // Read through the api process, from the read models the worker wrote.
      const statuses = await api.app.get(ProjectionsService).statuses();
      expect(statuses.filter((status) => status.lagEvents > 0)).toEqual([]);
      expect(statuses.reduce((sum, status) => sum + status.eventsApplied, 0)).toBeGreaterThan(0);

      expect((await fetch(`${worker.baseUrl}/health`)).status).toBe(200);
      expect((await fetch(`${worker.baseUrl}/health/ready`)).status).toBe(200);
      expect((await fetch(`${worker.baseUrl}/metrics`)).status).toBe(200);
      const refused = await fetch(`${worker.baseUrl}/v1/parcours`, { headers: await consortium.as('cd63-coordinator') });
      expect(refused.status).toBe(404);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await json(refused)).toMatchObject({ status: 404, code: 'not_found' });
    });

    it('webhooks are delivered by the worker, never by the api process', async () => {
      const receiver = await startReceiver();
      try {
        const parcoursId = await anOrientedParcours({ identity: { ...lea, lastName: uniqueLastName('Roles') }, orientedOn: '2026-02-02' });
        await worker!.app.get(ProjectionsService).whenCaughtUp();
        await worker!.stop();
        // The feed holds the orientation; only the api runs when the endpoint is registered.
        const created = await fetch(`${api.baseUrl}/v1/partners/${consortium.missionLocale.id}/webhooks`, {
          method: 'POST',
          headers: { ...(await consortium.as('ml-partner_admin')), 'content-type': 'application/json' },
          body: JSON.stringify({ url: receiver.url, after: '0-0' }),
        });
        expect(created.status).toBe(201);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(receiver.requests).toEqual([]);

        worker = await startApp({ PROCESS_ROLE: 'worker', ...LOOPBACK_WEBHOOKS }, {}, { instanceOf: api });
        await receiver.until((requests) => requests.some((request) => request.payload?.data?.parcoursId === parcoursId && request.status === 204));
      } finally {
        await receiver.close();
      }
    });
  });
}
