import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signatures of the Standard Webhooks specification (https://www.standardwebhooks.com): the
 * receiver checks `webhook-signature` against HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`
 * under the secret it was given at the endpoint's creation (`whsec_` + base64 of the key bytes).
 * During a rotation's overlap the message carries one signature per valid secret, space-separated,
 * so a receiver holding either secret accepts it. Ten lines of node:crypto: the reference package
 * (`standardwebhooks`) is what the tests verify with.
 */

export const SECRET_PREFIX = 'whsec_';
/** 32 random bytes: the specification asks for 24 to 64. */
const SECRET_BYTES = 32;

/** A new secret's key bytes (what is stored, wrapped) and the text the partner is shown once. */
export function generateSecret(): { key: Buffer; text: string } {
  const key = randomBytes(SECRET_BYTES);
  return { key, text: secretText(key) };
}

export function secretText(key: Buffer): string {
  return `${SECRET_PREFIX}${key.toString('base64')}`;
}

/** The `webhook-signature` header: `v1,<base64 HMAC>` for each key, space-separated. */
export function signatureHeader(keys: readonly Buffer[], messageId: string, timestampSeconds: number, body: string): string {
  return keys.map((key) => `v1,${createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64')}`).join(' ');
}
