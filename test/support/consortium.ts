import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import type { EventMetadata } from '../../src/event-store/event-store.js';
import { loadOrCreateSigningKey, mintToken } from '../../src/partners/auth/signing-key.js';
import type { PartnerKind, Role } from '../../src/access/roles.js';
import { ExecutePartnerCommand } from '../../src/partners/partner-write.js';
import type { RunningApp } from './test-app.js';

export interface SeededPartner {
  id: string;
  name: string;
  /** One member per role, user id `<prefix>-<role>`. */
  members: Record<Role, string>;
}

export interface Consortium {
  departement: SeededPartner;
  missionLocale: SeededPartner;
  aci: SeededPartner;
  /** A real token signed with the service's local key, for a member's user id. */
  token(userId: string, options?: { ttlSeconds?: number; issuedAt?: number }): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for a member. */
  as(userId: string): Promise<Record<string, string>>;
}

const ALL_ROLES: Role[] = ['referent', 'orientation_manager', 'coordinator', 'auditor', 'dpo', 'partner_admin', 'platform_admin'];

/**
 * A small consortium written through the real command path (as the bootstrap CLI does): the
 * Département (Thiers territories), a mission locale and an ACI, each with one member per role.
 */
export async function seedConsortium(running: RunningApp): Promise<Consortium> {
  const commands = running.app.get(CommandBus);
  const metadata = (): EventMetadata => ({
    actor: { userId: 'test-seed', role: 'platform_admin' },
    correlationId: randomUUID(),
    causationId: null,
    occurredAt: new Date().toISOString(),
  });
  async function partner(prefix: string, name: string, kind: PartnerKind, territories: string[]): Promise<SeededPartner> {
    const id = randomUUID();
    await commands.execute(new ExecutePartnerCommand(id, { type: 'RegisterPartner', partnerId: id, name, kind, siret: null, territories }, undefined, metadata()));
    const members = {} as Record<Role, string>;
    for (const role of ALL_ROLES) {
      const userId = `${prefix}-${role}`;
      members[role] = userId;
      await commands.execute(
        new ExecutePartnerCommand(id, { type: 'AddMember', userId, displayName: `${prefix} ${role}`, roles: [role], memberOfPartnerId: null }, undefined, metadata()),
      );
    }
    return { id, name, members };
  }
  const departement = await partner('cd63', 'Conseil départemental du Puy-de-Dôme', 'departement', [
    'cc-thiers-dore-et-montagne',
    'cc-ambert-livradois-forez',
    'cc-billom-communaute',
    'cc-entre-dore-et-allier',
  ]);
  const missionLocale = await partner('ml', 'Mission locale de Thiers', 'mission_locale', ['cc-thiers-dore-et-montagne']);
  const aci = await partner('aci', 'ACI Les Jardins de Thiers', 'siae_aci', ['cc-billom-communaute']);
  const key = await loadOrCreateSigningKey(running.config.dataDir);
  const token = (userId: string, options: { ttlSeconds?: number; issuedAt?: number } = {}) =>
    mintToken(key, { subject: userId, issuer: running.config.oidcIssuer, audience: running.config.oidcAudience, ...options });
  return {
    departement,
    missionLocale,
    aci,
    token,
    as: async (userId) => ({ authorization: `Bearer ${await token(userId)}` }),
  };
}
