import { Webhook } from 'standardwebhooks';
import { generateSecret, signatureHeader } from './webhook-signature.js';

/** Our signatures, checked by the Standard Webhooks reference library (what a partner would use). */
describe('webhook signatures', () => {
  const body = JSON.stringify({ type: 'ContactRecorded', timestamp: '2026-03-26T10:00:00.000Z', data: { parcoursId: 'p' } });

  function headers(keys: Buffer[], id = 'b1e7c1a0-0000-4000-8000-000000000001', timestamp = Math.floor(Date.now() / 1000), signed = body) {
    return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(keys, id, timestamp, signed) };
  }

  it('verifies with the reference verifier under the secret shown to the partner', () => {
    const secret = generateSecret();
    expect(secret.text).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret.text).verify(body, headers([secret.key]))).toEqual(JSON.parse(body));
  });

  it('is refused under another secret, for another body, id or timestamp', () => {
    const secret = generateSecret();
    const other = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    expect(() => new Webhook(other.text).verify(body, headers([secret.key]))).toThrow();
    const signed = headers([secret.key], 'id-1', now);
    expect(() => new Webhook(secret.text).verify(body.replace('p', 'q'), signed)).toThrow();
    expect(() => new Webhook(secret.text).verify(body, { ...signed, 'webhook-id': 'id-2' })).toThrow();
    expect(() => new Webhook(secret.text).verify(body, { ...signed, 'webhook-timestamp': String(now - 1) })).toThrow();
    // The reference refuses a message older than its tolerance (5 minutes): our timestamp is the attempt's.
    expect(() => new Webhook(secret.text).verify(body, headers([secret.key], 'id-1', now - 600))).toThrow();
  });

  it('during a rotation carries both signatures, each verifying under its own secret', () => {
    const current = generateSecret();
    const previous = generateSecret();
    const both = headers([current.key, previous.key]);
    expect(both['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current.text).verify(body, both)).toBeDefined();
    expect(new Webhook(previous.text).verify(body, both)).toBeDefined();
    expect(() => new Webhook(previous.text).verify(body, headers([current.key]))).toThrow();
  });
});
