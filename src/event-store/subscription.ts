import { type AllCursor, type EventStore, type ReadAllOptions, type RecordedEvent, compareCursors } from './event-store.js';

export interface SubscriptionOptions {
  /** Exclusive start; usually the checkpoint the consumer stored with its last batch. */
  after: AllCursor;
  /** Handles one batch; the subscription moves on only when it resolves. */
  handle: (events: RecordedEvent[], next: AllCursor) => Promise<void>;
  categories?: ReadAllOptions['categories'];
  types?: ReadAllOptions['types'];
  batchSize?: number;
  /** Longest wait without a wake-up before reading again (the polling fallback). */
  pollMs?: number;
  /**
   * After a batch that did not fill a page, wait this long before reading again, wake-ups or not:
   * under a steady write load the appends of that time go in one batch instead of one batch (and
   * one transaction) each. Adds at most this much latency; 0 (default) reads again at once.
   */
  settleMs?: number;
  /** Called when a batch fails; the subscription retries the same batch after `retryMs`. */
  onError?: (error: unknown) => void;
  retryMs?: number;
}

/**
 * Follows the global order from a cursor: reads a page, hands it over, repeats while pages are
 * full; then sleeps until an append is announced or `pollMs` passes. A wake-up may come before the
 * horizon has moved (another writer still in flight), so an empty read after a wake-up re-polls
 * soon with a short back-off instead of waiting a whole poll period.
 */
export class Subscription {
  private cursor: AllCursor;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private caughtUpWaiters: Array<{ mark: AllCursor; resolve: () => void }> = [];
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly store: EventStore, private readonly options: SubscriptionOptions) {
    this.cursor = options.after;
  }

  get position(): AllCursor {
    return this.cursor;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.store.onAppended(() => this.nudge());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.nudge();
    await this.loop;
  }

  /**
   * Resolves once the subscription has handled every event committed before the call, including
   * those a longer transaction elsewhere (another application, another test file) still keeps
   * above the visibility horizon: it waits for that transaction to end.
   */
  async whenCaughtUp(): Promise<void> {
    const mark = await this.store.committedMark();
    // Stopped meanwhile: nobody would resolve it (a runner then waits on the subscription that follows).
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      this.caughtUpWaiters.push({ mark, resolve });
      this.nudge();
    });
  }

  private nudge(): void {
    this.woken = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 500;
    let recheckMs = 0;
    while (this.running) {
      const waiters = this.caughtUpWaiters;
      this.caughtUpWaiters = [];
      this.woken = false;
      let page;
      try {
        page = await this.store.readAll({
          after: this.cursor,
          limit: this.options.batchSize ?? 500,
          categories: this.options.categories,
          types: this.options.types,
        });
        if (page.events.length > 0) await this.options.handle(page.events, page.next);
        this.cursor = page.next;
      } catch (error) {
        this.caughtUpWaiters.unshift(...waiters);
        this.options.onError?.(error);
        await this.sleep(this.options.retryMs ?? 1000);
        continue;
      }
      if (!page.isEnd) {
        this.caughtUpWaiters.unshift(...waiters);
        continue;
      }
      for (const waiter of waiters) {
        if (compareCursors(this.cursor, waiter.mark) >= 0) waiter.resolve();
        else this.caughtUpWaiters.push(waiter);
      }
      if (page.events.length > 0 && (this.options.settleMs ?? 0) > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.options.settleMs));
        continue;
      }
      if (this.caughtUpWaiters.length > 0) {
        // Someone waits for a transaction still open below the mark: look again soon.
        await this.sleep(10);
        continue;
      }
      if (this.woken) {
        recheckMs = 5;
        continue;
      }
      await this.sleep(recheckMs > 0 ? recheckMs : pollMs);
      // An announced append may not be below the horizon yet (another writer still in flight):
      // after a wake-up, look again at 5, 10, 20… ms rather than a whole poll period later.
      if (this.woken) recheckMs = 5;
      else if (recheckMs > 0) recheckMs = recheckMs * 2 > pollMs ? 0 : recheckMs * 2;
    }
    for (const waiter of this.caughtUpWaiters) waiter.resolve();
    this.caughtUpWaiters = [];
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
