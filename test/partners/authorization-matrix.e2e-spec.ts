import { randomBytes, randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import type { EventMetadata } from '../../src/event-store/event-store.js';
import { generateApiKey } from '../../src/partners/auth/api-key-secret.js';
import type { PartnerCommand } from '../../src/partners/domain/partner-commands.js';
import { ROLES, type Role } from '../../src/access/roles.js';
import { ExecutePartnerCommand } from '../../src/partners/partner-write.js';
import { buildOpenApiDocument } from '../../src/openapi.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { WebhookEndpoints } from '../../src/webhooks/webhook-endpoints.js';
import { KNOWN_FREE_FORM, OpenApiValidator } from '../support/openapi-validator.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { intakeFile } from '../../bench/intake-file.js';
import { anEngagementContract, anOpening } from '../support/parcours-fixtures.js';
import { uniqueLastName } from '../support/people.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * Every operation of the OpenAPI document × every role × {own object, another partner's object,
 * a nonexistent id}: the status each must get. An operation missing from the matrix fails the test,
 * so a new endpoint cannot ship without its access rules being stated here.
 */
type Target = 'own' | 'foreign' | 'nonexistent';

interface Call {
  path: string;
  body?: unknown;
  /** A Server-Sent Events stream: only its status matters, the connection is dropped at once. */
  stream?: boolean; csv?: string;
  /** Undo what a successful call changed, so later cases start from the same world. */
  cleanup?: () => Promise<void>;
}

interface OperationRule {
  roles: readonly Role[];
  /** Status of an allowed call on an object the caller may reach. */
  success: number;
  /** Whether the path names an object; if so, each target is tried. */
  object: boolean;
  /** Roles that reach another organisation's object (otherwise: 404, as for a nonexistent one). */
  crossPartner?: readonly Role[];
  call(context: CallContext): Promise<Call>;
}

interface CallContext {
  target: Target;
  /** The organisation the target object belongs to (own: the caller's; foreign: another). */
  partnerId: string;
}

const EVERYONE = ROLES;
const ADMINS: readonly Role[] = ['platform_admin', 'partner_admin'];
const CASEWORKERS: readonly Role[] = ['referent', 'orientation_manager', 'coordinator'];
const ORIENTATION: readonly Role[] = ['orientation_manager', 'coordinator'];
const READERS: readonly Role[] = [...CASEWORKERS, 'auditor', 'dpo'];

describe('authorisation matrix', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let commands: CommandBus;

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    commands = running.app.get(CommandBus);
  }, 120_000);

  afterAll(async () => {
    await running.close();
  }, 120_000);

  const metadata = (): EventMetadata => ({ actor: { userId: 'matrix' }, correlationId: randomUUID(), causationId: null, occurredAt: new Date().toISOString() });
  const seed = (partnerId: string, command: PartnerCommand) => commands.execute(new ExecutePartnerCommand(partnerId, command, undefined, metadata()));
  const partnerOf = (context: CallContext) => (context.target === 'nonexistent' ? randomUUID() : context.partnerId);

  async function aMember(partnerId: string): Promise<string> {
    const userId = `matrix-${randomBytes(4).toString('hex')}`;
    await seed(partnerId, { type: 'AddMember', userId, displayName: 'Matrix Member', roles: ['referent'], memberOfPartnerId: null });
    return userId;
  }

  async function aKey(partnerId: string): Promise<string> {
    const key = generateApiKey();
    await seed(partnerId, {
      type: 'CreateApiKey',
      keyId: key.keyId,
      name: 'matrix',
      scopes: ['referent'],
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      secretHash: key.secretHash,
    });
    return key.keyId;
  }

  /** One webhook endpoint per organisation, made once and reused (an organisation holds ten at most); made again once deleted. */
  const webhooks = new Map<string, string>();
  async function aWebhook(partnerId: string): Promise<string> {
    let endpointId = webhooks.get(partnerId);
    if (endpointId === undefined) {
      endpointId = (await running.app.get(WebhookEndpoints).create(partnerId, { url: 'https://hooks.example.org/matrix', description: '', createdBy: null })).view.id;
      webhooks.set(partnerId, endpointId);
    }
    return endpointId;
  }

  function webhookOperation(success: number, suffix: () => string, forget?: (partnerId: string) => void, body?: unknown): OperationRule {
    return {
      roles: ADMINS,
      success,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({
        path: `/v1/partners/${partnerOf(context)}/webhooks/${context.target === 'nonexistent' ? randomUUID() : await aWebhook(context.partnerId)}${suffix()}`,
        body,
        cleanup: forget && (async () => forget(context.partnerId)),
      }),
    };
  }

  /** Drives a parcours over HTTP as a member of the organisation that follows it. */
  async function post(as: string, path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${running.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...(await consortium.as(as)), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`setup ${path} as ${as}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  type Step = 'open' | 'oriented' | 'reorientation_requested' | 'with_referent' | 'with_engagement_contract' | 'with_action' | 'employed' | 'suspended' | 'exited' | 'with_departement_following';

  /**
   * A parcours in a given state: "own" ones are opened by the mission locale (which then follows
   * them) in Thiers; "foreign" ones by the ACI in Billom, a territory the mission locale does not serve.
   */
  async function aParcours(context: CallContext, step: Step): Promise<{ id: string; sub: string }> {
    if (context.target === 'nonexistent') return { id: randomUUID(), sub: randomUUID() };
    const own = context.target === 'own';
    const as = own ? 'ml-orientation_manager' : 'aci-orientation_manager';
    const opened = await post(as, '/v1/parcours', anOpening({
      identity: { firstName: 'Matrice', lastName: uniqueLastName('Test'), birthDate: '1985-01-01' },
      entryOn: '2026-01-05',
      territory: own ? 'cc-thiers-dore-et-montagne' : 'cc-billom-communaute',
    }));
    const id = opened['parcoursId'] as string;
    const base = `/v1/parcours/${id}`;
    const partnerId = own ? consortium.missionLocale.id : consortium.aci.id;
    const sub = randomUUID();
    if (step === 'with_departement_following') await post(as, `${base}/follow-up-group`, { partnerId: consortium.departement.id, joinedOn: '2026-01-06' });
    if (['oriented', 'reorientation_requested', 'with_referent'].includes(step)) {
      await post(as, `${base}/orientation`, { parcoursType: 'emploi', organismeReferentId: partnerId, reason: 'diagnostic_outcome', decidedOn: '2026-01-10' });
    }
    if (step === 'reorientation_requested') await post(as, `${base}/reorientation-request`, { reason: 'situation_changed', requestedOn: '2026-01-20' });
    if (step === 'with_referent') await post(as, `${base}/referent`, { referentUserId: own ? 'ml-referent' : 'aci-referent', assignedOn: '2026-01-12' });
    if (step === 'with_engagement_contract') {
      await post(as, `${base}/engagement-contracts`, anEngagementContract({ contractId: sub, signedOn: '2026-01-15', endsOn: '2026-07-14' }));
    }
    if (step === 'with_action') await post(as, `${base}/actions`, { actionId: sub, kind: 'training', prescribedOn: '2026-01-15' });
    if (step === 'employed') {
      await post(as, `${base}/employment-contracts`, { contractId: sub, kind: 'CDD', employerSiret: '73282932000074', weeklyHours: 35, startsOn: '2026-02-01', plannedEndOn: '2026-07-31' });
    }
    if (step === 'suspended') await post(as, `${base}/suspension`, { reason: 'appointment_missed', suspendedOn: '2026-02-01', withheldShare: 0.3, plannedEndOn: '2026-03-31' });
    if (step === 'exited') await post(as, `${base}/exit`, { category: 'autre', reason: 'other', exitedOn: '2026-02-01' });
    return { id, sub };
  }

  const parcoursCommand = (roles: readonly Role[], step: Step, path: (ids: { id: string; sub: string }) => string, body: (context: CallContext) => unknown): OperationRule => ({
    roles,
    success: 200,
    object: true,
    call: async (context) => {
      const ids = await aParcours(context, step);
      return { path: path(ids), body: body(context) };
    },
  });

  const auditCall = (path: (id: string) => string): OperationRule => ({
    roles: ['auditor'],
    success: 200,
    object: true,
    crossPartner: ['auditor'],
    call: async (context) => ({ path: path((await aParcours(context, 'open')).id) }),
  });

  const MATRIX: Record<string, OperationRule> = {
    'POST /v1/partners': {
      roles: ['platform_admin'],
      success: 201,
      object: false,
      call: async () => ({ path: '/v1/partners', body: { name: 'Association Matrix', kind: 'association', territories: ['cc-billom-communaute'] } }),
    },
    'GET /v1/partners': { roles: EVERYONE, success: 200, object: false, call: async () => ({ path: '/v1/partners' }) },
    'GET /v1/partners/{partnerId}': {
      roles: EVERYONE,
      success: 200,
      object: true,
      crossPartner: EVERYONE, // the directory of organisations is not beneficiary data
      call: async (context) => ({ path: `/v1/partners/${partnerOf(context)}` }),
    },
    'PATCH /v1/partners/{partnerId}': {
      roles: ADMINS,
      success: 200,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({ path: `/v1/partners/${partnerOf(context)}`, body: { name: `Renamed ${randomBytes(2).toString('hex')}` } }),
    },
    'POST /v1/partners/{partnerId}/deactivation': {
      roles: ['platform_admin'],
      success: 200,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => {
        const partnerId = partnerOf(context);
        return { path: `/v1/partners/${partnerId}/deactivation`, body: { reason: 'other' }, cleanup: () => seed(partnerId, { type: 'ReactivatePartner' }).then(() => undefined) };
      },
    },
    'POST /v1/partners/{partnerId}/reactivation': {
      roles: ['platform_admin'],
      success: 200,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({ path: `/v1/partners/${partnerOf(context)}/reactivation` }),
    },
    'GET /v1/partners/{partnerId}/members': {
      roles: ADMINS,
      success: 200,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({ path: `/v1/partners/${partnerOf(context)}/members` }),
    },
    'POST /v1/partners/{partnerId}/members': {
      roles: ADMINS,
      success: 201,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({
        path: `/v1/partners/${partnerOf(context)}/members`,
        body: { userId: `new-${randomBytes(4).toString('hex')}`, displayName: 'New Member', roles: ['referent'] },
      }),
    },
    'PUT /v1/partners/{partnerId}/members/{userId}/roles': {
      roles: ADMINS,
      success: 200,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => {
        const userId = context.target === 'nonexistent' ? 'nobody-at-all' : await aMember(context.partnerId);
        return { path: `/v1/partners/${context.partnerId}/members/${userId}/roles`, body: { roles: ['referent', 'orientation_manager'] } };
      },
    },
    'DELETE /v1/partners/{partnerId}/members/{userId}': {
      roles: ADMINS,
      success: 204,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => {
        const userId = context.target === 'nonexistent' ? 'nobody-at-all' : await aMember(context.partnerId);
        return { path: `/v1/partners/${context.partnerId}/members/${userId}` };
      },
    },
    'GET /v1/partners/{partnerId}/api-keys': {
      roles: ADMINS,
      success: 200,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({ path: `/v1/partners/${partnerOf(context)}/api-keys` }),
    },
    'POST /v1/partners/{partnerId}/api-keys': {
      roles: ADMINS,
      success: 201,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({
        path: `/v1/partners/${partnerOf(context)}/api-keys`,
        body: { name: 'matrix', scopes: ['referent'], expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
      }),
    },
    'DELETE /v1/partners/{partnerId}/api-keys/{keyId}': {
      roles: ADMINS,
      success: 204,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => {
        const keyId = context.target === 'nonexistent' ? randomBytes(8).toString('hex') : await aKey(context.partnerId);
        return { path: `/v1/partners/${context.partnerId}/api-keys/${keyId}` };
      },
    },
    'GET /v1/partners/{partnerId}/webhooks': {
      roles: ADMINS,
      success: 200,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({ path: `/v1/partners/${partnerOf(context)}/webhooks` }),
    },
    'POST /v1/partners/{partnerId}/webhooks': {
      roles: ADMINS,
      success: 201,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({
        path: `/v1/partners/${partnerOf(context)}/webhooks`,
        body: { url: 'https://hooks.example.org/matrix-created' },
        cleanup: async () => void (await running.app.get(SqlClient).query(`DELETE FROM webhook_endpoints WHERE url = 'https://hooks.example.org/matrix-created'`)),
      }),
    },
    'GET /v1/partners/{partnerId}/webhooks/{endpointId}': webhookOperation(200, () => ''),
    'DELETE /v1/partners/{partnerId}/webhooks/{endpointId}': webhookOperation(204, () => '', (partnerId) => webhooks.delete(partnerId)),
    'POST /v1/partners/{partnerId}/webhooks/{endpointId}/secret-rotation': webhookOperation(200, () => '/secret-rotation', undefined, { overlapSeconds: 0 }),
    'POST /v1/partners/{partnerId}/webhooks/{endpointId}/replay': webhookOperation(200, () => '/replay', undefined, { after: '0-0' }),
    'GET /v1/me': { roles: EVERYONE, success: 200, object: false, call: async () => ({ path: '/v1/me' }) },
    'GET /v1/territories': { roles: EVERYONE, success: 200, object: false, call: async () => ({ path: '/v1/territories' }) },
    'GET /v1/access-journal': { roles: ['auditor', 'dpo'], success: 200, object: false, call: async () => ({ path: '/v1/access-journal' }) },
    'GET /v1/caseload': { roles: CASEWORKERS, success: 200, object: false, call: async () => ({ path: '/v1/caseload' }) },
    'GET /v1/reports/caom': { roles: ['coordinator', 'auditor'], success: 200, object: false, call: async () => ({ path: '/v1/reports/caom?year=2026' }) },
    'GET /v1/reports/territories': {
      roles: ['coordinator', 'auditor'],
      success: 200,
      object: false,
      call: async () => ({ path: '/v1/reports/territories?from=2026-01&to=2026-02' }),
    },
    'GET /v1/reports/continuity': { roles: ['coordinator', 'auditor'], success: 200, object: false, call: async () => ({ path: '/v1/reports/continuity' }) },
    'GET /v1/parcours/{parcoursId}/continuity': {
      roles: [...CASEWORKERS, 'auditor'],
      success: 200,
      object: true,
      crossPartner: ['auditor'],
      call: async (context) => ({ path: `/v1/parcours/${(await aParcours(context, 'open')).id}/continuity` }),
    },
    // The audit tools: for auditors only, on every parcours (DESIGN §1).
    'GET /v1/audit/parcours/{parcoursId}/state': auditCall((id) => `/v1/audit/parcours/${id}/state?asOf=2026-01-10`),
    'GET /v1/audit/parcours/{parcoursId}/timeline': auditCall((id) => `/v1/audit/parcours/${id}/timeline`),
    'GET /v1/audit/parcours/{parcoursId}/verify': auditCall((id) => `/v1/audit/parcours/${id}/verify`),
    // The person's rights (DESIGN §8): the DPO reaches every parcours for them, as for reading it;
    // the platform administrator runs restrictions and erasures; caseworkers correct an identity.
    'POST /v1/parcours/{parcoursId}/identity-rectification': {
      ...parcoursCommand([...CASEWORKERS, 'dpo'], 'open', ({ id }) => `/v1/parcours/${id}/identity-rectification`, () => ({ corrections: { lastName: uniqueLastName('Rectifiée') } })),
      crossPartner: ['dpo'],
    },
    'POST /v1/parcours/{parcoursId}/processing-restrictions': {
      ...parcoursCommand(['dpo', 'platform_admin'], 'open', ({ id }) => `/v1/parcours/${id}/processing-restrictions`, () => ({ right: 'restriction', ground: 'accuracy_contested' })),
      crossPartner: ['dpo', 'platform_admin'],
    },
    'POST /v1/parcours/{parcoursId}/processing-restrictions/{right}/lifting': {
      ...parcoursCommand(['dpo', 'platform_admin'], 'open', ({ id }) => `/v1/parcours/${id}/processing-restrictions/opposition/lifting`, () => ({})),
      crossPartner: ['dpo', 'platform_admin'],
    },
    'POST /v1/parcours/{parcoursId}/erasure': {
      ...parcoursCommand(['dpo', 'platform_admin'], 'open', ({ id }) => `/v1/parcours/${id}/erasure`, () => ({ legalGround: 'erasure_request_granted' })),
      crossPartner: ['dpo', 'platform_admin'],
    },
    'GET /v1/parcours/{parcoursId}/personal-data-export': {
      roles: ['dpo'],
      success: 200,
      object: true,
      crossPartner: ['dpo'],
      call: async (context) => ({ path: `/v1/parcours/${(await aParcours(context, 'open')).id}/personal-data-export` }),
    },
    'GET /v1/privacy/retention': { roles: ['dpo', 'platform_admin'], success: 200, object: false, call: async () => ({ path: '/v1/privacy/retention' }) },
    'GET /v1/feed': { roles: [...CASEWORKERS, 'partner_admin'], success: 200, object: false, call: async () => ({ path: '/v1/feed' }) },
    'GET /v1/feed/stream': { roles: [...CASEWORKERS, 'partner_admin'], success: 200, object: false, call: async () => ({ path: '/v1/feed/stream', stream: true }) },
    'GET /v1/partners/{partnerId}/feed-status': {
      roles: ADMINS,
      success: 200,
      object: true,
      crossPartner: ['platform_admin'],
      call: async (context) => ({ path: `/v1/partners/${partnerOf(context)}/feed-status` }),
    },

    'POST /v1/parcours': {
      roles: [...ORIENTATION, 'referent'],
      success: 201,
      object: false,
      call: async () => ({
        path: '/v1/parcours',
        body: anOpening({ identity: { firstName: 'A', lastName: uniqueLastName('B'), birthDate: '1980-02-02' }, entryOn: '2026-01-05' }),
      }),
    },
    'GET /v1/parcours': { roles: READERS, success: 200, object: false, call: async () => ({ path: '/v1/parcours' }) },
    // A new file each time (the same file again would be a 200 that writes nothing).
    'POST /v1/intake/imports': { roles: ['coordinator', 'platform_admin'], success: 201, object: false, call: async () => ({ path: '/v1/intake/imports', csv: intakeFile(1, `matrix${randomBytes(4).toString('hex')}`) }) },
    // Roles that see identities only: a search by identifier would undo an auditor's pseudonymisation.
    'POST /v1/parcours/search': {
      roles: [...CASEWORKERS, 'dpo'],
      success: 200,
      object: false,
      call: async () => ({ path: '/v1/parcours/search', body: { lastName: 'B', firstName: 'A', birthDate: '1980-02-02' } }),
    },
    'GET /v1/parcours/{parcoursId}': {
      roles: READERS,
      success: 200,
      object: true,
      // Auditors (pseudonymised) and the DPO read every parcours, by their function.
      crossPartner: ['auditor', 'dpo'],
      call: async (context) => ({ path: `/v1/parcours/${(await aParcours(context, 'open')).id}` }),
    },
    // All of a parcours' contacts or appointments: the same readers as the parcours itself.
    'GET /v1/parcours/{parcoursId}/contacts': {
      roles: READERS,
      success: 200,
      object: true,
      crossPartner: ['auditor', 'dpo'],
      call: async (context) => ({ path: `/v1/parcours/${(await aParcours(context, 'open')).id}/contacts` }),
    },
    'GET /v1/parcours/{parcoursId}/appointments': {
      roles: READERS,
      success: 200,
      object: true,
      crossPartner: ['auditor', 'dpo'],
      call: async (context) => ({ path: `/v1/parcours/${(await aParcours(context, 'open')).id}/appointments` }),
    },
    'POST /v1/parcours/{parcoursId}/diagnostics': parcoursCommand(CASEWORKERS, 'open', ({ id }) => `/v1/parcours/${id}/diagnostics`, () => ({
      barriers: { mobility: 'none', family: 'none', health: 'none', literacy: 'none', housing: 'none', finances: 'none', administrative: 'none', digital: 'none', language: 'none' },
      recentActivity: 'inactive',
      qualificationLevel: '3',
      diagnosedOn: '2026-01-08',
    })),
    'POST /v1/parcours/{parcoursId}/orientation': parcoursCommand(ORIENTATION, 'open', ({ id }) => `/v1/parcours/${id}/orientation`, (context) => ({
      parcoursType: 'social',
      organismeReferentId: context.partnerId,
      reason: 'diagnostic_outcome',
      decidedOn: '2026-01-09',
    })),
    'POST /v1/parcours/{parcoursId}/reorientation-request': parcoursCommand(CASEWORKERS, 'oriented', ({ id }) => `/v1/parcours/${id}/reorientation-request`, () => ({
      reason: 'new_barriers',
      requestedOn: '2026-01-21',
    })),
    'POST /v1/parcours/{parcoursId}/reorientation-decision': parcoursCommand(ORIENTATION, 'reorientation_requested', ({ id }) => `/v1/parcours/${id}/reorientation-decision`, () => ({
      accepted: false,
      rejectionReason: 'current_orientation_suitable',
      decidedOn: '2026-01-25',
    })),
    'POST /v1/parcours/{parcoursId}/referent': parcoursCommand(CASEWORKERS, 'oriented', ({ id }) => `/v1/parcours/${id}/referent`, (context) => ({
      referentUserId: context.partnerId === consortium.aci.id ? 'aci-referent' : 'ml-referent',
      assignedOn: '2026-01-13',
    })),
    'POST /v1/parcours/{parcoursId}/referent/release': parcoursCommand(CASEWORKERS, 'with_referent', ({ id }) => `/v1/parcours/${id}/referent/release`, () => ({
      reason: 'referent_unavailable',
      releasedOn: '2026-01-20',
    })),
    'POST /v1/parcours/{parcoursId}/follow-up-group': parcoursCommand(CASEWORKERS, 'open', ({ id }) => `/v1/parcours/${id}/follow-up-group`, () => ({
      partnerId: consortium.departement.id,
      joinedOn: '2026-01-07',
    })),
    'POST /v1/parcours/{parcoursId}/follow-up-group/{partnerId}/leave': parcoursCommand(
      CASEWORKERS,
      'with_departement_following',
      ({ id }) => `/v1/parcours/${id}/follow-up-group/${consortium.departement.id}/leave`,
      () => ({ leftOn: '2026-01-08' }),
    ),
    'POST /v1/parcours/{parcoursId}/appointments': parcoursCommand(CASEWORKERS, 'open', ({ id }) => `/v1/parcours/${id}/appointments`, (context) => ({
      appointmentId: randomUUID(),
      kind: 'orientation',
      scheduledOn: '2026-01-07',
      outcome: 'seen',
      partnerId: context.partnerId,
    })),
    'POST /v1/parcours/{parcoursId}/contacts': parcoursCommand(CASEWORKERS, 'open', ({ id }) => `/v1/parcours/${id}/contacts`, (context) => ({
      contactId: randomUUID(),
      channel: 'email',
      contactedOn: '2026-01-07',
      partnerId: context.partnerId,
    })),
    'POST /v1/parcours/{parcoursId}/engagement-contracts': parcoursCommand(CASEWORKERS, 'open', ({ id }) => `/v1/parcours/${id}/engagement-contracts`, () => ({
      contractId: randomUUID(),
      kind: 'CE',
      signedOn: '2026-01-10',
      startsOn: '2026-01-10',
      endsOn: '2026-06-30',
      weeklyActivityHours: 10,
    })),
    'POST /v1/parcours/{parcoursId}/engagement-contracts/{contractId}/end': parcoursCommand(
      CASEWORKERS,
      'with_engagement_contract',
      ({ id, sub }) => `/v1/parcours/${id}/engagement-contracts/${sub}/end`,
      () => ({ endedOn: '2026-02-01', reason: 'beneficiary_withdrawal' }),
    ),
    'POST /v1/parcours/{parcoursId}/actions': parcoursCommand(CASEWORKERS, 'open', ({ id }) => `/v1/parcours/${id}/actions`, () => ({
      actionId: randomUUID(),
      kind: 'mobility_aid',
      prescribedOn: '2026-01-10',
    })),
    'POST /v1/parcours/{parcoursId}/actions/{actionId}/status': parcoursCommand(CASEWORKERS, 'with_action', ({ id, sub }) => `/v1/parcours/${id}/actions/${sub}/status`, () => ({
      status: 'started',
      changedOn: '2026-01-20',
    })),
    'POST /v1/parcours/{parcoursId}/employment-contracts': parcoursCommand(CASEWORKERS, 'open', ({ id }) => `/v1/parcours/${id}/employment-contracts`, () => ({
      contractId: randomUUID(),
      kind: 'INTERIM',
      employerSiret: '73282932000074',
      weeklyHours: 35,
      startsOn: '2026-01-12',
      plannedEndOn: '2026-01-30',
    })),
    'POST /v1/parcours/{parcoursId}/employment-contracts/{contractId}/end': parcoursCommand(
      CASEWORKERS,
      'employed',
      ({ id, sub }) => `/v1/parcours/${id}/employment-contracts/${sub}/end`,
      () => ({ endedOn: '2026-03-01', reason: 'early_termination' }),
    ),
    'POST /v1/parcours/{parcoursId}/suspension': parcoursCommand(ORIENTATION, 'open', ({ id }) => `/v1/parcours/${id}/suspension`, () => ({
      reason: 'appointment_missed',
      suspendedOn: '2026-01-20',
      withheldShare: 0.5,
      plannedEndOn: '2026-03-19',
    })),
    // Opened in 2026, the parcours was registered on its entry day: the same registration is idempotent.
    'POST /v1/parcours/{parcoursId}/france-travail-registration': parcoursCommand(ORIENTATION, 'open', ({ id }) => `/v1/parcours/${id}/france-travail-registration`, () => ({
      registeredOn: '2026-01-05',
    })),
    'POST /v1/parcours/{parcoursId}/resumption': parcoursCommand(ORIENTATION, 'suspended', ({ id }) => `/v1/parcours/${id}/resumption`, () => ({ resumedOn: '2026-02-10' })),
    'POST /v1/parcours/{parcoursId}/exit': parcoursCommand(CASEWORKERS, 'open', ({ id }) => `/v1/parcours/${id}/exit`, () => ({
      category: 'sortie_positive',
      reason: 'qualifying_training',
      exitedOn: '2026-01-30',
    })),
    'POST /v1/parcours/{parcoursId}/reopening': parcoursCommand(CASEWORKERS, 'exited', ({ id }) => `/v1/parcours/${id}/reopening`, () => ({
      reason: 'beneficiary_request',
      reopenedOn: '2026-02-15',
    })),
  };

  function operations(): Array<{ key: string; method: string; hasId: boolean }> {
    const document = buildOpenApiDocument(running.app);
    return Object.entries(document.paths).flatMap(([path, item]) =>
      (['get', 'post', 'put', 'patch', 'delete'] as const)
        .filter((method) => item[method])
        .map((method) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), hasId: path.includes('{') })),
    );
  }

  it('covers every operation of the OpenAPI document, and nothing else', () => {
    const documented = operations().map((operation) => operation.key).sort();
    expect(Object.keys(MATRIX).sort()).toEqual(documented);
    for (const operation of operations()) expect(MATRIX[operation.key]!.object).toBe(operation.hasId);
  });

  it('gives each role the status its rules say, on its own objects, on other organisations’ and on nonexistent ones', async () => {
    const validator = new OpenApiValidator(buildOpenApiDocument(running.app), { freeForm: KNOWN_FREE_FORM });
    const failures: string[] = [];
    let foreignSuccessOutsideRules = 0;
    for (const { key, method } of operations()) {
      const rule = MATRIX[key]!;
      const targets: Target[] = rule.object ? ['own', 'foreign', 'nonexistent'] : ['own'];
      for (const role of ROLES) {
        const caller = consortium.missionLocale.members[role];
        for (const target of targets) {
          const partnerId = target === 'foreign' ? consortium.aci.id : consortium.missionLocale.id;
          const allowed = rule.roles.includes(role);
          const reaches = target === 'own' || (target === 'foreign' && (rule.crossPartner ?? []).includes(role));
          const expected = !allowed ? 403 : !rule.object || reaches ? rule.success : 404;
          const call = await rule.call({ target, partnerId });
          const abort = new AbortController();
          const response = await fetch(`${running.baseUrl}${call.path}`, {
            method,
            headers: { ...(await consortium.as(caller)), ...(call.csv ? { 'content-type': 'text/csv' } : call.body ? { 'content-type': 'application/json' } : {}) },
            body: call.csv ?? (call.body ? JSON.stringify(call.body) : undefined),
            signal: abort.signal,
          });
          if (call.stream) abort.abort();
          if (response.status !== expected) failures.push(`${key} as ${role} on ${target}: ${response.status}, expected ${expected}`);
          if (!call.stream) {
            // Every answer, refusals included, as the document declares it (status, media type, schema).
            const contentType = response.headers.get('content-type') ?? 'none';
            const text = await response.text();
            const body = contentType.includes('json') ? (JSON.parse(text) as unknown) : text;
            const template = key.slice(method.length + 1);
            const errors = [...validator.errors(method, template, response.status, body, contentType), ...validator.headerErrors(method, template, response.status, response.headers)];
            if (errors.length) failures.push(`${key} as ${role} on ${target}: ${response.status} off the document: ${errors.slice(0, 3).join('; ')}`);
          }
          if (target === 'foreign' && response.status < 300 && !reaches) foreignSuccessOutsideRules += 1;
          if (response.status < 300) await call.cleanup?.();
        }
      }
    }
    expect(failures).toEqual([]);
    expect(foreignSuccessOutsideRules).toBe(0);
    // Several hundred requests, each role on each operation: a time budget, not an assertion (a busy
    // 2-core machine needs more than jest's default minute).
  }, 240_000);
});
