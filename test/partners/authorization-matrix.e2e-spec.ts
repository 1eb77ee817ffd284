import { randomBytes, randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import type { EventMetadata } from '../../src/event-store/event-store.js';
import { generateApiKey } from '../../src/partners/auth/api-key-secret.js';
import type { PartnerCommand } from '../../src/partners/domain/partner-commands.js';
import { ROLES, type Role } from '../../src/partners/domain/roles.js';
import { ExecutePartnerCommand } from '../../src/partners/partner-write.js';
import { buildOpenApiDocument } from '../../src/openapi.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
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

describe('authorisation matrix', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let commands: CommandBus;

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    commands = running.app.get(CommandBus);
  });

  afterAll(async () => {
    await running.close();
  });

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
      call: async (context) => ({ path: `/v1/partners/${partnerOf(context)}`, body: { territories: ['cc-thiers-dore-et-montagne', 'cc-billom-communaute'] } }),
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
    'GET /v1/me': { roles: EVERYONE, success: 200, object: false, call: async () => ({ path: '/v1/me' }) },
    'GET /v1/territories': { roles: EVERYONE, success: 200, object: false, call: async () => ({ path: '/v1/territories' }) },
    'GET /v1/access-journal': { roles: ['auditor', 'dpo'], success: 200, object: false, call: async () => ({ path: '/v1/access-journal' }) },
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
          const response = await fetch(`${running.baseUrl}${call.path}`, {
            method,
            headers: { ...(await consortium.as(caller)), ...(call.body ? { 'content-type': 'application/json' } : {}) },
            body: call.body ? JSON.stringify(call.body) : undefined,
          });
          if (response.status !== expected) failures.push(`${key} as ${role} on ${target}: ${response.status}, expected ${expected}`);
          if (target === 'foreign' && response.status < 300 && !reaches) foreignSuccessOutsideRules += 1;
          if (response.status < 300) await call.cleanup?.();
        }
      }
    }
    expect(failures).toEqual([]);
    expect(foreignSuccessOutsideRules).toBe(0);
  });
});
