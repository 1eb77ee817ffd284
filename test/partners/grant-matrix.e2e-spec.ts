import { randomBytes, randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { SqlClient } from '../../src/database/sql-client.js';
import { CommandRunner } from '../../src/event-store/command-runner.js';
import type { EventMetadata } from '../../src/event-store/event-store.js';
import { generateApiKey } from '../../src/partners/auth/api-key-secret.js';
import type { PartnerCommand } from '../../src/partners/domain/partner-commands.js';
import type { PartnerEvent } from '../../src/partners/domain/partner-events.js';
import { ROLES, type Role } from '../../src/access/roles.js';
import { partnerDirectoryWrites } from '../../src/partners/partner-projection.js';
import { ExecutePartnerCommand, partnerFold, partnerStreamId } from '../../src/partners/partner-write.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, consortiumClient, json } from '../support/http.js';
import { anOpening } from '../support/parcours-fixtures.js';
import { uniqueLastName } from '../support/people.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * The grant matrix: every role × every way of granting something (a member's roles on adding and
 * on changing them, an API key's scopes, an organisation's name, territories and kind) × the
 * caller's own organisation or another one. Each case states the status and the problem code it
 * must get, and a refused grant must leave the database as it was. The rules, as this test states
 * them (independently of src/access/grant-rules.ts, which it checks):
 * - only administrators grant; a partner admin its own organisation only (another's: 404);
 * - coordinator, auditor, dpo, platform_admin are granted by a platform admin only, to people and keys;
 * - auditor is never held with referent, orientation_manager or coordinator;
 * - a key is scoped to referent, orientation_manager, coordinator or auditor, never more;
 * - territories and kind of an organisation are changed by a platform admin only (403).
 */
const RESERVED: readonly Role[] = ['platform_admin', 'coordinator', 'auditor', 'dpo'];
const CASEWORKER: readonly Role[] = ['referent', 'orientation_manager', 'coordinator'];
const KEY_SCOPES: readonly Role[] = ['referent', 'orientation_manager', 'coordinator', 'auditor'];

const ROLE_SETS: readonly Role[][] = [...ROLES.map((role) => [role]), ['auditor', 'referent'], ['auditor', 'orientation_manager'], ['auditor', 'coordinator'], ['auditor', 'dpo'], ['referent', 'partner_admin']];

type Target = 'own' | 'foreign';
type GrantPath = 'add member' | 'change member roles' | 'create API key';
type FieldPath = 'PATCH name' | 'PATCH territories' | 'PATCH kind';

interface Expected {
  status: number;
  code?: string;
}

function grantExpected(grantor: Role, target: Target, path: GrantPath, roles: readonly Role[]): Expected {
  if (grantor !== 'platform_admin' && grantor !== 'partner_admin') return { status: 403, code: 'forbidden' };
  if (grantor === 'partner_admin' && target === 'foreign') return { status: 404, code: 'not_found' };
  if (path === 'create API key' && roles.some((role) => !KEY_SCOPES.includes(role))) return { status: 422, code: 'invalid_scopes' };
  if (roles.includes('auditor') && roles.some((role) => CASEWORKER.includes(role))) return { status: 422, code: 'incompatible_roles' };
  if (grantor !== 'platform_admin' && roles.some((role) => RESERVED.includes(role))) return { status: 422, code: 'role_reserved_to_platform_admin' };
  return { status: path === 'change member roles' ? 200 : 201 };
}

function fieldExpected(grantor: Role, target: Target, path: FieldPath): Expected {
  if (grantor !== 'platform_admin' && grantor !== 'partner_admin') return { status: 403, code: 'forbidden' };
  if (grantor === 'partner_admin' && target === 'foreign') return { status: 404, code: 'not_found' };
  if (grantor === 'partner_admin' && path !== 'PATCH name') return { status: 403, code: 'field_reserved_to_platform_admin' };
  return { status: 200 };
}

const THIERS = 'cc-thiers-dore-et-montagne';
const BILLOM = 'cc-billom-communaute';

describe('grant matrix', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let db: SqlClient;
  const client = consortiumClient(() => running, () => consortium);

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    db = running.app.get(SqlClient);
  });

  afterAll(async () => {
    await running.close();
  });

  const metadata = (): EventMetadata => ({ actor: { userId: 'grant-matrix' }, correlationId: randomUUID(), causationId: null, occurredAt: new Date().toISOString() });
  const seed = (partnerId: string, command: PartnerCommand) => running.app.get(CommandBus).execute(new ExecutePartnerCommand(partnerId, command, undefined, metadata()));

  async function call(headers: Record<string, string>, method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
    const response = await fetch(`${running.baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Body) : {} };
  }

  /** Everything a grant could have written: events, members, keys, organisations (one query). */
  async function snapshot(): Promise<string> {
    const rows = await db.query(
      `SELECT (SELECT count(*) FROM events)::int AS events,
              (SELECT string_agg(user_id || partner_id::text || array_to_string(roles, ','), ';' ORDER BY user_id) FROM partner_members) AS members,
              (SELECT string_agg(key_id || array_to_string(scopes, ','), ';' ORDER BY key_id) FROM api_keys) AS keys,
              (SELECT string_agg(partner_id::text || name || kind || array_to_string(territories, ','), ';' ORDER BY partner_id) FROM partners) AS partners`,
    );
    return JSON.stringify(rows);
  }

  const orgOf = (target: Target) => (target === 'own' ? consortium.missionLocale : consortium.aci);

  it('lets each role grant exactly what the rules say, to members and API keys, of its own organisation or another', async () => {
    const failures: string[] = [];
    let refusals = 0;
    for (const grantor of ROLES) {
      const as = await consortium.as(`ml-${grantor}`);
      for (const target of ['own', 'foreign'] as const) {
        const partnerId = orgOf(target).id;
        for (const roles of ROLE_SETS) {
          for (const path of ['add member', 'change member roles', 'create API key'] as const) {
            let request: [string, string, unknown];
            if (path === 'add member') {
              request = ['POST', `/v1/partners/${partnerId}/members`, { userId: `grant-${randomBytes(6).toString('hex')}`, displayName: 'Personne Test', roles }];
            } else if (path === 'change member roles') {
              const userId = `grant-${randomBytes(6).toString('hex')}`;
              // A member to change, where the request gets that far.
              const manages = grantor === 'platform_admin' || (grantor === 'partner_admin' && target === 'own');
              if (manages) await seed(partnerId, { type: 'AddMember', userId, displayName: 'Personne Test', roles: ['orientation_manager'], memberOfPartnerId: null });
              request = ['PUT', `/v1/partners/${partnerId}/members/${userId}/roles`, { roles }];
            } else {
              request = ['POST', `/v1/partners/${partnerId}/api-keys`, { name: 'Logiciel', scopes: roles, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }];
            }
            const expected = grantExpected(grantor, target, path, roles);
            const before = expected.status >= 400 ? await snapshot() : '';
            const answer = await call(as, ...request);
            const label = `${path} [${roles.join(', ')}] by ${grantor} on ${target}`;
            if (answer.status !== expected.status || (expected.code && answer.body['code'] !== expected.code)) {
              failures.push(`${label}: ${answer.status} ${String(answer.body['code'] ?? '')}, expected ${expected.status} ${expected.code ?? ''}`);
            }
            if (expected.status >= 400) {
              refusals += 1;
              if ((await snapshot()) !== before) failures.push(`${label}: refused, yet something was written`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(refusals).toBeGreaterThan(300);
  });

  it("lets each role change exactly the fields of an organisation the rules say, and never widen a partner admin's territories", async () => {
    const failures: string[] = [];
    const changes: Record<FieldPath, (current: { name: string; kind: string; territories: string[] }) => Record<string, unknown>> = {
      'PATCH name': (current) => ({ name: `${current.name} ${randomBytes(2).toString('hex')}` }),
      'PATCH territories': (current) => ({ territories: [...new Set([...current.territories, THIERS, BILLOM])] }),
      'PATCH kind': (current) => ({ kind: current.kind === 'association' ? 'other' : 'association' }),
    };
    for (const grantor of ROLES) {
      const as = await consortium.as(`ml-${grantor}`);
      for (const target of ['own', 'foreign'] as const) {
        const partnerId = orgOf(target).id;
        for (const path of Object.keys(changes) as FieldPath[]) {
          const [current] = await db.query<{ name: string; kind: string; territories: string[] }>('SELECT name, kind, territories FROM partners WHERE partner_id = $1', [partnerId]);
          const expected = fieldExpected(grantor, target, path);
          const before = await snapshot();
          const answer = await call(as, 'PATCH', `/v1/partners/${partnerId}`, changes[path](current!));
          const label = `${path} by ${grantor} on ${target}`;
          if (answer.status !== expected.status || (expected.code && answer.body['code'] !== expected.code)) {
            failures.push(`${label}: ${answer.status} ${String(answer.body['code'] ?? '')}, expected ${expected.status} ${expected.code ?? ''}`);
          }
          if (expected.status >= 400 && (await snapshot()) !== before) failures.push(`${label}: refused, yet something was written`);
          if (expected.status < 400) {
            if ((await snapshot()) === before) failures.push(`${label}: allowed, yet nothing changed`);
            // Back as it was, for the next cases.
            await seed(partnerId, { type: 'UpdatePartner', name: current!.name, kind: current!.kind as never, territories: current!.territories });
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  describe('finding 1: an organisation admin cannot make itself département-wide', () => {
    let theirs: string;
    let ours: string;
    const identity = { firstName: 'Zéphyrine', lastName: 'Canteperdrix', birthDate: '1984-07-14', phone: '0611223344' };
    const opening = (territory: string) => anOpening({ identity: { ...identity, lastName: uniqueLastName(identity.lastName) }, entryOn: '2026-01-05', territory });

    beforeAll(async () => {
      theirs = (await client.post('aci-orientation_manager', '/v1/parcours', opening(BILLOM)))['parcoursId'] as string;
      ours = (await client.post('ml-orientation_manager', '/v1/parcours', opening(THIERS)))['parcoursId'] as string;
    });

    /** A key as it could be stored before the fix: written to the stream without the decider's rules. */
    async function aKeyStoredBeforeTheFix(scopes: Role[]): Promise<Record<string, string>> {
      const key = generateApiKey();
      const event: PartnerEvent = {
        type: 'ApiKeyCreated',
        data: { keyId: key.keyId, name: 'Clé ancienne', scopes, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), secretHash: key.secretHash },
      };
      await running.app.get(CommandRunner).run(partnerStreamId(consortium.missionLocale.id), partnerFold, () => [event], { metadata: metadata(), followups: partnerDirectoryWrites });
      return { authorization: `ApiKey ${key.token}` };
    }

    it("refuses the mission locale's admin a key scoped to auditor and referent, and writes nothing", async () => {
      const before = await snapshot();
      const answer = await call(await consortium.as('ml-partner_admin'), 'POST', `/v1/partners/${consortium.missionLocale.id}/api-keys`, {
        name: 'Tout voir',
        scopes: ['auditor', 'referent'],
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ code: 'incompatible_roles' });
      expect(await snapshot()).toBe(before);
    });

    it('gives a key stored with auditor and referent the reach of a référent when it shows identities, and no identity when it audits', async () => {
      const key = await aKeyStoredBeforeTheFix(['auditor', 'referent']);
      // Acting as a référent: another organisation's parcours does not exist for it, its own shows the person.
      expect((await call(key, 'GET', `/v1/parcours/${theirs}`)).status).toBe(404);
      const own = await call(key, 'GET', `/v1/parcours/${ours}`);
      expect(own.status).toBe(200);
      expect(own.body['identity']).toMatchObject({ firstName: 'Zéphyrine' });
      const listed = await call(key, 'GET', '/v1/parcours?limit=100');
      expect(listed.body['items'].map((item: { id: string }) => item.id)).not.toContain(theirs);
      // Acting as an auditor, on the audit tools: every parcours, never who the person is.
      const audited = await call(key, 'GET', `/v1/audit/parcours/${theirs}/state?asOf=2026-01-10`);
      expect(audited.status).toBe(200);
      expect(JSON.stringify(audited.body)).not.toMatch(/Zéphyrine|Canteperdrix|0611223344|1984-07-14/);
    });

    it("shows an auditor-acting caller another organisation's parcours without identity", async () => {
      const key = await aKeyStoredBeforeTheFix(['auditor']);
      const read = await call(key, 'GET', `/v1/parcours/${theirs}`);
      expect(read.status).toBe(200);
      expect(read.body['identity']).toBeNull();
      expect(JSON.stringify(read.body)).not.toMatch(/Zéphyrine|Canteperdrix|0611223344|1984-07-14/);
      const listed = await call(key, 'GET', '/v1/parcours?limit=100');
      expect(JSON.stringify(listed.body)).not.toMatch(/Zéphyrine|Canteperdrix/);
    });
  });

  describe('finding 2: an organisation admin cannot widen its territories', () => {
    it("refuses the mission locale's admin every EPCI, and its coordinators still do not reach another organisation's parcours", async () => {
      const opening = anOpening({ identity: { firstName: 'Anne', lastName: 'Test', birthDate: '1990-01-01' }, entryOn: '2026-01-05', territory: BILLOM });
      const theirs = (await client.post('aci-orientation_manager', '/v1/parcours', opening))['parcoursId'] as string;
      const territories = (await json(await client.get('ml-coordinator', '/v1/territories'))) as unknown as Array<{ code: string }>;
      const before = await snapshot();
      const widened = await call(await consortium.as('ml-partner_admin'), 'PATCH', `/v1/partners/${consortium.missionLocale.id}`, { territories: territories.map((territory) => territory.code) });
      expect(widened.status).toBe(403);
      expect(widened.body).toMatchObject({ code: 'field_reserved_to_platform_admin' });
      expect(await snapshot()).toBe(before);
      expect((await client.get('ml-coordinator', `/v1/parcours/${theirs}`)).status).toBe(404);
      const contact = await client.send('ml-coordinator', `/v1/parcours/${theirs}/contacts`, { contactId: randomUUID(), channel: 'phone', contactedOn: '2026-01-06', partnerId: consortium.missionLocale.id });
      expect(contact.status).toBe(404);
    });
  });
});
