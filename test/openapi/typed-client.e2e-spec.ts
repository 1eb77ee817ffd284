import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { buildOpenApiDocument } from '../../src/openapi.js';
import type { paths } from '../support/api-types.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * A client generated from the published document (openapi-typescript → test/support/api-types.ts,
 * `npm run openapi:types`) and openapi-fetch: these calls type-check against the generated types
 * (`npm run typecheck`), so a document vaguer than the API (an `object` where a date goes, a
 * nullable object a client cannot send null to) breaks the build; at run time they reach the
 * service and read back what the types promise.
 */
describe('a client generated from the OpenAPI document', () => {
  let running: RunningApp;
  let consortium: Consortium;

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'silent' });
    consortium = await seedConsortium(running);
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  const clientAs = async (member: string) => createClient<paths>({ baseUrl: running.baseUrl, headers: await consortium.as(member) });

  it('opens, orients and follows a parcours, reads it back typed, and gets typed problems', async () => {
    const manager = await clientAs('cd63-orientation_manager');
    const opened = await manager.POST('/v1/parcours', {
      body: {
        identity: { firstName: 'Camille', lastName: 'Typée', birthDate: '1991-04-12', nir: null, address: null, email: null },
        householdRole: 'demandeur',
        rsaSocle: true,
        entryOn: '2025-03-03',
        territory: 'cc-thiers-dore-et-montagne',
        source: 'caf',
      },
    });
    expect(opened.response.status).toBe(201);
    const parcoursId: string = opened.data!.parcoursId;

    const oriented = await manager.POST('/v1/parcours/{parcoursId}/orientation', {
      params: { path: { parcoursId }, header: { 'If-Match': opened.response.headers.get('etag')! } },
      body: { parcoursType: 'emploi', organismeReferentId: consortium.missionLocale.id, reason: 'diagnostic_outcome', decidedOn: '2025-03-10', notifiedOn: null },
    });
    expect(oriented.response.status).toBe(200);

    const referent = await clientAs('ml-referent');
    const contact = await referent.POST('/v1/parcours/{parcoursId}/contacts', {
      params: { path: { parcoursId } },
      body: { contactId: randomUUID(), channel: 'phone', contactedOn: '2025-03-12', partnerId: consortium.missionLocale.id, note: null },
    });
    expect(contact.response.status).toBe(200);

    const read = await manager.GET('/v1/parcours/{parcoursId}', { params: { path: { parcoursId } } });
    const parcours = read.data!;
    // Typed: a date or null, an object or null — not `Record<string, never>`.
    const notifiedOn: string | null = parcours.orientation?.notifiedOn ?? null;
    const referentSince: string | undefined = parcours.referent?.since;
    expect(notifiedOn).toBeNull();
    expect(referentSince).toBeUndefined();
    expect(parcours.orientation?.parcoursType).toBe('emploi');
    expect(parcours.lastContactOn).toBe('2025-03-12');

    const continuity = await manager.GET('/v1/parcours/{parcoursId}/continuity', { params: { path: { parcoursId }, query: { asOf: '2025-12-31' } } });
    const ruleIds: string[] = continuity.data!.findings.map((finding) => finding.ruleId);
    expect(ruleIds.length).toBeGreaterThan(0);
    const firstEvidence: string[] = continuity.data!.findings[0]!.evidence.eventIds;
    expect(firstEvidence.length).toBeGreaterThan(0);

    // A problem is typed too: its code among the ones the operation declares.
    const missing = await manager.GET('/v1/parcours/{parcoursId}', { params: { path: { parcoursId: randomUUID() } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.code).toBe('not_found');
  });

  it('reads the CAOM report with typed volets', async () => {
    const auditor = await clientAs('cd63-auditor');
    const report = await auditor.GET('/v1/reports/caom', { params: { query: { year: 2025 } } });
    expect(report.response.status).toBe(200);
    // JSON or CSV, as the document says: the client narrows.
    const data = report.data!;
    if (typeof data === 'string') throw new Error('a CSV answered to a JSON request');
    const committed: number = data.pec.committedCents + data.aci.committedCents + data.ei.committedCents;
    const fullTimeEquivalents: number = data.aci.fullTimeEquivalents;
    expect(committed).toBeGreaterThanOrEqual(0);
    expect(fullTimeEquivalents).toBeGreaterThanOrEqual(0);
  });

  it('has its generated types current with the document the service publishes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spie-openapi-types-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(buildOpenApiDocument(running.app)));
      execFileSync(process.execPath, ['node_modules/openapi-typescript/bin/cli.js', join(dir, 'openapi.json'), '-o', join(dir, 'api-types.ts')], { stdio: 'pipe' });
      expect(readFileSync(join(dir, 'api-types.ts'), 'utf8')).toBe(readFileSync('test/support/api-types.ts', 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
