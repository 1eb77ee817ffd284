/**
 * What of an event a partner of a given kind may know (DESIGN §8, minimisation): the fields its
 * kind is allowed by the feed policy (feed-policy.ts), nothing else; identity never. Read
 * defensively: an odd event gives less, never an exception.
 */
import type { PartnerKind } from '../../../access/roles.js';
import { allowanceFor, closedListValues, type FeedPolicy, isListField } from './feed-policy.js';

export interface FeedEvent {
  type: string;
  data: unknown;
}

/** A JSON leaf: the only thing ever copied from an event into a feed (alone, or in a list the catalogue names). */
type Leaf = string | number | boolean | null;

export interface MinimisedData {
  [field: string]: Leaf | Leaf[] | MinimisedData;
}

export interface MinimisedEvent {
  type: string;
  data: MinimisedData;
}

/**
 * The event as `partnerKind` may know it, or null when that kind does not receive its type.
 *
 * The output is built from the allow-list, never by deleting from the input: a field the policy
 * does not name cannot leak, even one added to an event after the policy was written. Only JSON
 * leaves are copied: an object found where the catalogue expects a value is dropped rather than
 * copied whole, and a missing field stays missing. A field the catalogue declares a list (the
 * `fields` of a rectification) is copied only as a list of leaves, each element checked likewise.
 * The per-partner `scope` is not applied here
 * (it needs to know which partner, and the follower state): `deliver` applies it.
 */
export function minimise(event: FeedEvent, partnerKind: PartnerKind, policy: FeedPolicy): MinimisedEvent | null {
  const allowance = allowanceFor(policy, partnerKind, event.type);
  if (allowance === null) return null;
  const data: MinimisedData = {};
  for (const field of allowance.fields) {
    const path = field.split('.');
    const value = isListField(event.type, field) ? listAt(event.data, path, closedListValues(event.type, field)) : asLeaf(valueAt(event.data, path));
    if (value !== undefined) setAt(data, path, value);
  }
  return { type: event.type, data };
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function asLeaf(value: unknown): Leaf | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  // NaN and the infinities are not JSON: a feed row must read back as it was written.
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * A new list of the leaves, or nothing when the value is not a list of leaves only (an object inside
 * is never copied), or holds a value outside the field's closed set.
 */
function listAt(data: unknown, path: readonly string[], allowed: readonly string[] | undefined): Leaf[] | undefined {
  const value = valueAt(data, path);
  if (!Array.isArray(value)) return undefined;
  const leaves: Leaf[] = [];
  for (const element of value as unknown[]) {
    const leaf = asLeaf(element);
    if (leaf === undefined || (allowed !== undefined && !allowed.includes(leaf as string))) return undefined;
    leaves.push(leaf);
  }
  return leaves;
}

/** Paths come from the validated catalogue, so no key here is `__proto__` or the like. */
function setAt(target: MinimisedData, path: readonly string[], value: Leaf | Leaf[]): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next;
    else {
      const created: MinimisedData = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1]] = value;
}
