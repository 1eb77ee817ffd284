import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { AppConfig } from '../../config/app-config.js';
import { migrate } from '../../database/migrator.js';
import { openDatabase } from '../../database/open-database.js';
import { AccessJournal } from '../../access-journal/access-journal.js';
import { loadOrCreateSigningKey, mintToken } from './signing-key.js';

/**
 * `tokens mint`: a token signed with the local key for a member, of at most
 * TOKEN_MAX_LIFETIME_SECONDS (the service would refuse a longer one), and journaled: who minted
 * (the operator's login), for whom, when — in the access journal, which the DPO reads. The token
 * itself is never stored.
 */
export async function mintTokenCommand(config: AppConfig, options: { sub: string; ttlSeconds: number }): Promise<string> {
  if (config.oidcJwksUrl) throw new Error('OIDC_JWKS_URL is set: tokens come from your identity provider, not from this command');
  const max = config.tokenMaxLifetimeSeconds;
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 60 || options.ttlSeconds > max) {
    throw new Error(`--ttl must be 60 to ${max} seconds (TOKEN_MAX_LIFETIME_SECONDS): the service refuses a token that lives longer`);
  }
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const members = await db.query('SELECT 1 FROM partner_members WHERE user_id = $1', [options.sub]);
    if (members.length === 0) throw new Error(`no member has the id ${options.sub}: add them to their organisation first`);
    const token = await mintToken(await loadOrCreateSigningKey(config.dataDir), {
      subject: options.sub,
      issuer: config.oidcIssuer,
      audience: config.oidcAudience,
      ttlSeconds: options.ttlSeconds,
    });
    // Journaled before the token is shown: none is handed out that the journal does not know of.
    await new AccessJournal(db).record({
      actor: { userId: `cli:${userInfo().username}`, role: 'operator' },
      operation: 'token.mint',
      recordType: 'member',
      recordId: options.sub,
      outcome: 'ok',
      correlationId: randomUUID(),
    });
    return token;
  } finally {
    await db.close();
  }
}
