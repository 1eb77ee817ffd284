import { type AllCursor, type EventStore, type ReadAllOptions, type RecordedEvent, START, compareCursors } from '../../src/event-store/event-store.js';

/**
 * Reads the global order from `after` until every event committed before the call is in. On a
 * PostgreSQL server other test files run at once: their open transactions hold the cluster's
 * visibility horizon back, and a plain readAll stops below it (by design: it never skips).
 */
export async function readCommitted(store: EventStore, options: ReadAllOptions = {}): Promise<{ events: RecordedEvent[]; next: AllCursor }> {
  const mark = await store.committedMark();
  const events: RecordedEvent[] = [];
  let cursor = options.after ?? START;
  for (;;) {
    const page = await store.readAll({ ...options, after: cursor });
    events.push(...page.events);
    cursor = page.next;
    if (!page.isEnd) continue;
    if (compareCursors(cursor, mark) >= 0) return { events, next: cursor };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
