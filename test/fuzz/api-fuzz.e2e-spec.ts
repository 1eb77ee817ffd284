import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { OpenAPIObject } from '@nestjs/swagger';
import { SqlClient } from '../../src/database/sql-client.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import type { Role } from '../../src/access/roles.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, json } from '../support/http.js';
import { KNOWN_FREE_FORM, OpenApiValidator } from '../support/openapi-validator.js';
import { uniqueLastName } from '../support/people.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { defaultTarget } from '../support/test-database.js';
import { type RowCounts, writtenRows } from '../support/written-rows.js';
import { type Caller, type FuzzRequest, type Operation, RequestGenerator, type World, operationsOf, urlOf } from './openapi-requests.js';

/**
 * The API fuzz suite (issue 12): every operation of the OpenAPI document the service publishes,
 * called by members of three organisations in every role, by API keys and by nobody, with valid
 * requests generated from the documented schemas and the same made hostile (wrong types, NUL,
 * lone surrogates, huge and deep bodies, impossible dates, injection strings, nulls, numbers out
 * of range, odd headers, another method). Whatever the request:
 * - no answer is a 5xx;
 * - a 4xx is an RFC 9457 problem that matches the documented schema, and a 2xx JSON answer matches
 *   its documented schema;
 * - a refused request writes nothing: events, keys, partner tables, idempotency records and
 *   parcours_details are counted before and after each request (sent one at a time, so that a
 *   change is the request's own). Reads journal themselves, refused ones included: the access
 *   journal is not counted, nor the read models written later by the projections.
 *
 * A fixed seed and a small count in CI; `FUZZ_RUNS=20000 FUZZ_SEED=…` for a long run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);

const ROLES: Role[] = ['referent', 'orientation_manager', 'coordinator', 'auditor', 'dpo', 'partner_admin', 'platform_admin'];
const STREAM = '/v1/feed/stream';

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}

describe('API fuzz: generated and hostile requests to every documented operation', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let db: SqlClient;
  let document: OpenAPIObject;
  let validator: OpenApiValidator;
  let generator: RequestGenerator;
  let operations: Operation[];
  /** The service's error lines: what a 5xx was, by correlation id (class, code, frames: nothing personal). */
  const errorLines: string[] = [];

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '10000000', LOG_LEVEL: 'error' }, { logDestination: { write: (line: string) => void errorLines.push(line) } });
    consortium = await seedConsortium(running);
    db = running.app.get(SqlClient);
    document = (await (await fetch(`${running.baseUrl}/docs/openapi.json`)).json()) as OpenAPIObject;
    validator = new OpenApiValidator(document, { freeForm: KNOWN_FREE_FORM });
    operations = operationsOf(document);
    const { world, callers } = await buildWorld();
    generator = new RequestGenerator(document, world, callers);
    await running.app.get(ProjectionsService).whenCaughtUp();
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  async function call(as: string, method: string, path: string, body?: unknown): Promise<Body> {
    const response = await fetch(`${running.baseUrl}${path}`, {
      method,
      headers: { ...(await consortium.as(as)), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = response.status === 204 ? {} : await json(response);
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Three organisations' parcours at various stages, spare members, organisations and keys to spend, and the callers. */
  async function buildWorld(): Promise<{ world: World; callers: Caller[] }> {
    const admin = 'cd63-platform_admin';
    const { departement, missionLocale, aci } = consortium;
    const spare = await call(admin, 'POST', '/v1/partners', { name: 'EBE de réserve', kind: 'ebe', territories: ['cc-thiers-dore-et-montagne'] });
    const spareMemberIds: string[] = [];
    for (const partner of [departement, missionLocale, aci]) {
      for (const index of [1, 2]) {
        const userId = `${partner.members.referent.split('-')[0]}-spare-${index}`;
        await call(admin, 'POST', `/v1/partners/${partner.id}/members`, { userId, displayName: `Agent de réserve ${index}`, roles: ['referent'] });
        spareMemberIds.push(userId);
      }
    }
    const expiresAt = new Date(Date.now() + 180 * 86_400_000).toISOString();
    const key = async (partnerId: string, scopes: Role[]) => (await call(admin, 'POST', `/v1/partners/${partnerId}/api-keys`, { name: `fuzz ${scopes.join(' ')}`, scopes, expiresAt })) as Body;
    const keys = [
      { name: 'ml api key (referent)', key: await key(missionLocale.id, ['referent']) },
      { name: 'cd63 api key (coordinator)', key: await key(departement.id, ['coordinator']) },
      { name: 'cd63 api key (auditor)', key: await key(departement.id, ['auditor']) },
    ];
    const spareKeys = [await key(missionLocale.id, ['referent']), await key(aci.id, ['referent'])];

    const opening = (entryOn: string) => ({
      identity: { firstName: 'Camille', lastName: uniqueLastName('Fuzz'), birthDate: '1992-05-17', address: { line1: '1 place du Pirou', postalCode: '63300', city: 'Thiers' } },
      householdRole: 'demandeur',
      rsaSocle: true,
      entryOn,
      territory: 'cc-thiers-dore-et-montagne',
      source: 'caf',
    });
    const open = async (as: string, entryOn: string) => ((await call(as, 'POST', '/v1/parcours', opening(entryOn))) as { parcoursId: string }).parcoursId;
    const engagementContractIds: string[] = [];
    const employmentContractIds: string[] = [];
    const actionIds: string[] = [];
    const parcoursIds: string[] = [];
    // Oriented to the mission locale, with a référent, contracts and an action.
    const followed = await open('cd63-orientation_manager', '2025-01-06');
    await call('cd63-orientation_manager', 'POST', `/v1/parcours/${followed}/orientation`, { parcoursType: 'emploi', organismeReferentId: missionLocale.id, reason: 'diagnostic_outcome', decidedOn: '2025-01-20' });
    await call('ml-referent', 'POST', `/v1/parcours/${followed}/referent`, { referentUserId: 'ml-referent', assignedOn: '2025-01-27' });
    const engagement = randomUUID();
    await call('ml-referent', 'POST', `/v1/parcours/${followed}/engagement-contracts`, { contractId: engagement, kind: 'CE', signedOn: '2025-02-03', startsOn: '2025-02-03', endsOn: '2026-02-02', weeklyActivityHours: 15 });
    const action = randomUUID();
    await call('ml-referent', 'POST', `/v1/parcours/${followed}/actions`, { actionId: action, kind: 'training', prescribedOn: '2025-02-10' });
    const employment = randomUUID();
    await call('ml-referent', 'POST', `/v1/parcours/${followed}/employment-contracts`, { contractId: employment, kind: 'PEC', employerSiret: '73282932000074', weeklyHours: 26, startsOn: '2025-03-03', plannedEndOn: '2025-09-02' });
    engagementContractIds.push(engagement);
    employmentContractIds.push(employment);
    actionIds.push(action);
    parcoursIds.push(followed);
    // Oriented to the ACI, followed by the mission locale too.
    const social = await open('cd63-orientation_manager', '2025-06-02');
    await call('cd63-orientation_manager', 'POST', `/v1/parcours/${social}/orientation`, { parcoursType: 'socio_professionnel', organismeReferentId: aci.id, reason: 'diagnostic_outcome', decidedOn: '2025-06-16' });
    await call('aci-referent', 'POST', `/v1/parcours/${social}/referent`, { referentUserId: 'aci-referent', assignedOn: '2025-06-20' });
    await call('aci-referent', 'POST', `/v1/parcours/${social}/follow-up-group`, { partnerId: missionLocale.id, joinedOn: '2025-06-23' });
    parcoursIds.push(social);
    // Opened by each organisation, some to be spent by erasures, restrictions and exits.
    parcoursIds.push(await open('ml-referent', '2025-09-01'), await open('aci-orientation_manager', '2025-10-06'));
    for (const entryOn of ['2024-03-04', '2024-11-12', '2026-01-05']) parcoursIds.push(await open('cd63-coordinator', entryOn));

    const memberCallers: Caller[] = [];
    for (const partner of [departement, missionLocale, aci]) {
      for (const role of ROLES) memberCallers.push({ name: partner.members[role], headers: { authorization: `Bearer ${await consortium.token(partner.members[role])}` } });
    }
    const callers: Caller[] = [
      ...memberCallers,
      ...keys.map(({ name, key: created }) => ({ name, headers: { authorization: `ApiKey ${created.key as string}` } })),
      { name: 'a spare member', headers: { authorization: `Bearer ${await consortium.token(spareMemberIds[2]!)}` } },
      { name: 'nobody', headers: {} },
      { name: 'a stranger with a valid token', headers: { authorization: `Bearer ${await consortium.token('stranger-to-all')}` } },
    ];
    const world: World = {
      partnerIds: [departement.id, missionLocale.id, aci.id, spare.id as string],
      spareOrganisationIds: [spare.id as string],
      parcoursIds,
      engagementContractIds,
      employmentContractIds,
      actionIds,
      spareMemberIds,
      memberIds: [...ROLES.map((role) => missionLocale.members[role]), 'aci-referent', 'cd63-referent', 'cd63-orientation_manager', ...spareMemberIds, 'me'],
      spareApiKeyIds: spareKeys.map((created) => created.keyId as string),
    };
    return { world, callers };
  }

  async function send(request: FuzzRequest): Promise<Answer | 'stream' | { error: string }> {
    const headers: Record<string, string> = { ...request.caller.headers, ...request.headers };
    let body: string | undefined;
    if (request.body && request.method !== 'GET') {
      if ('json' in request.body) {
        body = JSON.stringify(request.body.json) ?? 'null';
        headers['content-type'] = 'application/json';
      } else {
        body = request.body.raw;
        if (request.body.contentType) headers['content-type'] = request.body.contentType;
      }
    }
    // An open stream answers 200 and then never ends; one with nothing to send yet may not even answer (see the report).
    const stream = request.method === 'GET' && request.operation.template === STREAM;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), stream ? 1_000 : 30_000);
    try {
      const response = await fetch(`${running.baseUrl}${urlOf(request)}`, { method: request.method, headers, body, signal: abort.signal });
      if (stream && response.status === 200) {
        abort.abort();
        return 'stream';
      }
      return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
    } catch (error) {
      if (stream && abort.signal.aborted) return 'stream';
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The error the service logged for a 5xx, to say where it comes from. */
  function loggedFor(answer: Answer): string {
    if (answer.status < 500) return '';
    const correlationId = (parse(answer.text) as Body | undefined)?.correlationId;
    const line = errorLines.map((text) => parse(text) as Body).find((logged) => logged?.correlationId === correlationId && logged.err);
    return line ? `\n      logged: ${JSON.stringify(line.err).slice(0, 1_000)}` : '';
  }

  /** What is wrong with an answer, if anything. */
  function faultsOf(request: FuzzRequest, answer: Answer, before: RowCounts, after: RowCounts): string[] {
    const faults: string[] = [];
    const documented = request.method === request.operation.method;
    if (answer.status >= 500) faults.push(`answered ${answer.status}`);
    if (answer.status >= 400) {
      if (!answer.contentType?.includes('application/problem+json')) faults.push(`a ${answer.status} that is not a problem (${answer.contentType})`);
      const problem = parse(answer.text);
      const errors = documented ? validator.errors(request.method, request.operation.template, answer.status, problem, answer.contentType ?? '') : validator.problemErrors(problem);
      if (errors.length) faults.push(`a problem off its documented schema: ${errors.join('; ')}`);
      if ((problem as Body | undefined)?.status !== answer.status) faults.push('a problem whose status is not the answer’s');
      const written = Object.keys(after).filter((table) => after[table as keyof RowCounts] !== before[table as keyof RowCounts]);
      if (written.length) faults.push(`refused, yet wrote to ${written.map((table) => `${table} (${before[table as keyof RowCounts]} → ${after[table as keyof RowCounts]})`).join(', ')}`);
    } else if (documented) {
      // Every answer in a media type documented for its status; JSON ones match their schema.
      const json = answer.contentType?.startsWith('application/json') === true;
      const errors = validator.errors(request.method, request.operation.template, answer.status, json ? parse(answer.text) : answer.text, answer.contentType ?? 'none');
      if (errors.length) faults.push(`a ${answer.status} off its documented schema: ${errors.slice(0, 3).join('; ')}`);
      // A request the service accepted matches the documented request body.
      if (request.body !== undefined && 'json' in request.body) {
        const requestErrors = validator.requestErrors(request.method, request.operation.template, request.body.json);
        if (requestErrors.length) faults.push(`accepted a request off its documented schema: ${requestErrors.slice(0, 3).join('; ')}`);
      }
    }
    return faults;
  }

  it(
    `answers about ${RUNS} generated requests, each operation its share (seed ${SEED}), without a 5xx, with documented answers, and writes nothing it refuses`,
    async () => {
      const byClass: Record<string, number> = {};
      const failures = new Map<string, string>();
      let streams = 0;
      let requests = 0;
      let counts = await writtenRows(db);
      const check = async (request: FuzzRequest): Promise<void> => {
        requests += 1;
        const answer = await send(request);
        if (answer === 'stream') {
          streams += 1;
          return;
        }
        const before = counts;
        counts = await writtenRows(db);
        const what = `${request.method} ${request.operation.template} (${request.kind})`;
        if ('error' in answer) {
          failures.set(`${what}: ${answer.error}`, shown(request));
          byClass['none'] = (byClass['none'] ?? 0) + 1;
          return;
        }
        const statusClass = `${Math.floor(answer.status / 100)}xx`;
        byClass[statusClass] = (byClass[statusClass] ?? 0) + 1;
        for (const fault of faultsOf(request, answer, before, counts)) {
          const key = `${what}: ${fault}`;
          if (!failures.has(key)) failures.set(key, `${shown(request)}\n      → ${answer.status} ${answer.text.slice(0, 300)}${loggedFor(answer)}`);
        }
      };
      // Every operation gets its share of the runs, each from a seed of its own.
      const perOperation = Math.max(1, Math.ceil(RUNS / operations.length));
      for (const [index, operation] of operations.entries()) {
        await fc.assert(fc.asyncProperty(generator.request([operation]), check), { numRuns: perOperation, seed: SEED + index, endOnFailure: true });
      }
      const classes = ['2xx', '3xx', '4xx', '5xx', 'none'].filter((name) => byClass[name]).map((name) => `${name} ${byClass[name]}`);
      process.stderr.write(
        `api fuzz on ${defaultTarget().name}, seed ${SEED}: ${requests} requests — ${classes.join(', ')}, ${streams} streams; 5xx: ${byClass['5xx'] ?? 0}; faults: ${failures.size}\n`,
      );
      expect([...failures].map(([fault, example]) => `${fault}\n      ${example}`)).toEqual([]);
    },
    Math.max(120_000, RUNS * 400),
  );
});

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function shown(request: FuzzRequest): string {
  const body = request.body === undefined ? '' : ` ${('json' in request.body ? JSON.stringify(request.body.json) : `[${request.body.contentType}] ${request.body.raw}`)?.slice(0, 200)}`;
  return `as ${request.caller.name}: ${request.method} ${urlOf(request).slice(0, 200)} ${JSON.stringify(request.headers)}${body}`;
}
