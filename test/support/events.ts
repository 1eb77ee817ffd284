import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../src/event-store/event-store.js';

let counter = 0;

/** A new event with a fresh id and neutral metadata; `data` defaults to a counter for ordering checks. */
export function anEvent(type = 'SomethingHappened', data: unknown = { n: ++counter }, eventId = randomUUID()): NewEvent {
  return {
    eventId,
    type,
    data,
    metadata: {
      actor: { userId: 'user-test', partnerId: 'partner-test', role: 'referent' },
      correlationId: randomUUID(),
      causationId: null,
      occurredAt: '2026-01-15T10:00:00.000Z',
    },
  };
}

export function events(count: number, type?: string): NewEvent[] {
  return Array.from({ length: count }, () => anEvent(type));
}

export function aStreamId(category = 'test'): string {
  return `${category}-${randomUUID()}`;
}
