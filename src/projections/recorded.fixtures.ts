import type { ParcoursEvent } from '../parcours/domain/events.js';
import type { ProjectedEvent } from './projection.js';

/**
 * Parcours events as the runner hands them to a projection: in one stream, numbered from
 * `firstVersion` (1 for a whole stream; further on for the events that follow a stream already folded).
 */
export function recorded(parcoursId: string, events: readonly ParcoursEvent[], firstVersion = 1): ProjectedEvent[] {
  return events.map((event, index) => ({
    eventId: `00000000-0000-4000-8000-${String(firstVersion + index).padStart(12, '0')}`,
    streamId: `parcours-${parcoursId}`,
    streamVersion: firstVersion + index,
    globalPosition: firstVersion + index,
    transactionId: '1000',
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    metadata: { actor: { userId: 'fixture' }, correlationId: 'fixture', occurredAt: '2026-03-20' },
    recordedAt: `2026-03-20T10:00:${String(index % 60).padStart(2, '0')}.000Z`,
    hash: '00',
  }));
}

/** Folds recorded events through a projection's reducer, as the runner would, one document (from `from`, a document already stored). */
export function project<Doc>(reduce: (doc: Doc | null, event: ProjectedEvent) => Doc | null, events: readonly ProjectedEvent[], from: Doc | null = null): Doc | null {
  return events.reduce<Doc | null>((doc, event) => reduce(doc, event), from);
}
