import { randomInt } from 'node:crypto';

/**
 * Made-up people for tests: one open parcours per person is a rule (blind indexes), so a test that
 * opens several parcours gives each its own person.
 */

/** A valid NIR (its key checked), different at each call: a man born in May 1984 in commune 63113. */
export function testNir(): string {
  const body = `1840563${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
  return `${body}${String(97 - Number(BigInt(body) % 97n)).padStart(2, '0')}`;
}

let counter = 0;

/** A last name no other test person has: `<base> <letters>` (letters only, as a name would be). */
export function uniqueLastName(base = 'Test'): string {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter.toString(36)}${randomInt(0, 36 ** 4).toString(36)}`.replace(/\d/g, (digit) => 'abcdefghij'[Number(digit)]!);
  return `${base} ${tag}`;
}
