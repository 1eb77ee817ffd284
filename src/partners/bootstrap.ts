import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { EventMetadata } from '../event-store/event-store.js';
import { MEMBER_ID_DESCRIPTION, isMemberId } from './domain/member-id.js';
import { PARTNER_KINDS, type PartnerKind } from './domain/roles.js';
import { ExecutePartnerCommand } from './partner-write.js';

export interface BootstrapOptions {
  name: string;
  kind: string;
  territory: string[];
  siret?: string;
  adminSub: string;
  adminName: string;
}

/**
 * The one write that needs no token: the first organisation and its platform administrator. It
 * goes through the same decider and projection as any other; the actor is the platform itself.
 */
export async function bootstrapPlatform(config: AppConfig, options: BootstrapOptions): Promise<string> {
  if (!(PARTNER_KINDS as readonly string[]).includes(options.kind)) throw new Error(`--kind must be one of ${PARTNER_KINDS.join(', ')}`);
  // Checked before the database is opened: a refused bootstrap leaves nothing behind.
  if (!isMemberId(options.adminSub)) throw new Error(`--admin-sub must be a user id: ${MEMBER_ID_DESCRIPTION}`);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error'] });
  try {
    const commands = app.get(CommandBus);
    const partnerId = randomUUID();
    const metadata = (): EventMetadata => ({
      actor: { userId: 'cli:bootstrap', role: 'platform_admin' },
      correlationId: randomUUID(),
      causationId: null,
      occurredAt: new Date().toISOString(),
    });
    await commands.execute(
      new ExecutePartnerCommand(
        partnerId,
        { type: 'RegisterPartner', partnerId, name: options.name, kind: options.kind as PartnerKind, siret: options.siret ?? null, territories: options.territory },
        undefined,
        metadata(),
      ),
    );
    await commands.execute(
      new ExecutePartnerCommand(
        partnerId,
        { type: 'AddMember', userId: options.adminSub, displayName: options.adminName, roles: ['platform_admin', 'partner_admin'], memberOfPartnerId: null },
        undefined,
        metadata(),
      ),
    );
    return partnerId;
  } finally {
    await app.close();
  }
}
