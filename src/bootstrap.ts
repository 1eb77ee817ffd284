import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { CommandBus } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { SqlClient } from './database/sql-client.js';
import type { EventMetadata } from './event-store/event-store.js';
import { AccessJournal } from './access-journal/access-journal.js';
import { MEMBER_ID_DESCRIPTION, isMemberId } from './access/member-id.js';
import { PARTNER_KINDS, type PartnerKind } from './access/roles.js';
import { ExecutePartnerCommand } from './partners/partner-write.js';

export interface BootstrapOptions {
  name: string;
  kind: string;
  territory: string[];
  siret?: string;
  adminSub: string;
  adminName: string;
  /** Bootstrap although organisations exist (a second platform administrator): refused without it, journaled with it. */
  force?: boolean;
}

/** A bootstrap on an installation that already has organisations: it would add a second département and platform administrator. */
export class BootstrapRefusedError extends Error {
  readonly code = 'already_bootstrapped';

  constructor(readonly organisations: number) {
    super(`this installation already has ${organisations} organisation(s): bootstrap is for a fresh installation (add organisations through the API, or pass --force, which is journaled)`);
    this.name = 'BootstrapRefusedError';
  }
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
    // The store, not a read model, says whether organisations exist: a partner stream is one.
    const db = app.get(SqlClient);
    const [{ organisations } = { organisations: 0 }] = await db.query<{ organisations: number }>(
      `SELECT count(DISTINCT stream_id)::int AS organisations FROM events WHERE category = 'partner'`,
    );
    if (organisations > 0 && !options.force) throw new BootstrapRefusedError(organisations);
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
    if (organisations > 0) {
      // Forced over an existing installation: the access journal keeps who did it and what it created.
      await app.get(AccessJournal).record({
        actor: { userId: `cli:${userInfo().username}`, role: 'platform_admin' },
        operation: 'partners.bootstrap.forced',
        recordType: 'store',
        recordId: partnerId,
        outcome: 'ok',
        correlationId: randomUUID(),
      });
    }
    return partnerId;
  } finally {
    await app.close();
  }
}
