import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../src/event-store/event-store.js';
import type { ParcoursEvent } from '../../src/parcours/domain/events.js';

/** Parcours events as a store would receive them (neutral metadata). */
export function asNewEvents(events: readonly ParcoursEvent[]): NewEvent[] {
  return events.map((event) => ({
    eventId: randomUUID(),
    type: event.type,
    data: event.data,
    metadata: { actor: { userId: 'test', partnerId: 'partner-test', role: 'referent' }, correlationId: randomUUID(), causationId: null, occurredAt: '2026-01-01' },
  }));
}
