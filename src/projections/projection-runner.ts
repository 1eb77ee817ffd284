import type { SqlClient, SqlSession } from '../database/sql-client.js';
import type { AllCursor, EventStore, RecordedEvent } from '../event-store/event-store.js';
import { Subscription } from '../event-store/subscription.js';
import type { Projection } from './projection.js';
import { activeGeneration, applyBatch, createGeneration, nextGeneration, readCheckpoint, register, switchTo, tryLockInSchema } from './projection-tables.js';

export interface RunnerOptions {
  batchSize?: number;
  pollMs?: number;
  /** See SubscriptionOptions.settleMs (default 100 ms; 0 in tests that count batches). */
  settleMs?: number;
  /** How often a runner without the lease tries to take it (a dead holder's is released with its connection). */
  leaseRetryMs?: number;
  /** How often the holder checks its connection is alive. */
  heartbeatMs?: number;
  onError?: (error: unknown) => void;
}

export type RunnerState = 'stopped' | 'waiting_for_lease' | 'running';

/**
 * Keeps one projection up to date, in the background, on one instance at a time.
 *
 * The lease is a PostgreSQL session advisory lock on a dedicated connection: it is held as long as
 * that connection lives, so an instance that dies (or loses the database) loses it, and another
 * instance's next attempt takes over. Batches are applied on that same connection, so an instance
 * that lost its lease cannot commit another batch.
 *
 * If the projection's schema version is newer than the live generation's, the runner builds a new
 * generation from the start beside the live one and switches the views once it has caught up; a
 * `cli projections rebuild` does the same on demand, and the runner follows the switch.
 */
export class ProjectionRunner {
  private session: SqlSession | undefined;
  private subscription: Subscription | undefined;
  private generation = 0;
  private pendingSwitch = false;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private status: RunnerState = 'stopped';
  private leaseWaiters: Array<() => void> = [];
  private switchWaiters: Array<() => void> = [];

  constructor(
    private readonly db: SqlClient,
    private readonly store: EventStore,
    readonly projection: Projection,
    private readonly options: RunnerOptions = {},
  ) {}

  get state(): RunnerState {
    return this.status;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.db.transaction((tx) => register(tx, this.projection));
    await this.tryToLead();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.release();
    this.status = 'stopped';
  }

  /** Resolves once this runner holds the lease and has applied every event visible now. */
  async whenCaughtUp(): Promise<void> {
    if (this.status !== 'running') await new Promise<void>((resolve) => this.leaseWaiters.push(resolve));
    // A schema upgrade switches at the end of its first catch-up: wait for that too.
    if (this.pendingSwitch) await new Promise<void>((resolve) => this.switchWaiters.push(resolve));
    // A subscription being replaced (after a rebuild's switch) lets its waiters go: wait on its successor.
    for (;;) {
      const subscription = this.subscription;
      if (!subscription) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      await subscription.whenCaughtUp();
      if (this.subscription === subscription) return;
    }
  }

  private async tryToLead(): Promise<void> {
    if (this.stopped) return;
    try {
      const session = await this.db.session();
      if (!(await tryLockInSchema(session, `projection:${this.projection.name}`))) {
        await session.close();
        this.status = 'waiting_for_lease';
        this.scheduleRetry();
        return;
      }
      this.session = session;
      session.onLost(() => void this.lost());
      await this.follow(session);
      this.heartbeat = setInterval(() => {
        session.query('SELECT 1').catch(() => void this.lost());
      }, this.options.heartbeatMs ?? 5_000);
      this.heartbeat.unref();
      this.status = 'running';
      for (const resolve of this.leaseWaiters.splice(0)) resolve();
    } catch (error) {
      this.options.onError?.(error);
      await this.release();
      this.status = 'waiting_for_lease';
      this.scheduleRetry();
    }
  }

  /** Picks the generation to feed (a new one if the schema changed) and subscribes from its checkpoint. */
  private async follow(session: SqlSession): Promise<void> {
    const live = await activeGeneration(session, this.projection.name);
    if (!live) throw new Error(`projection ${this.projection.name} is not registered`);
    if (live.schemaVersion < this.projection.schemaVersion) {
      this.generation = await session.transaction(async (tx) => {
        const generation = await nextGeneration(tx, this.projection.name);
        await createGeneration(tx, this.projection, generation);
        return generation;
      });
      this.pendingSwitch = true;
    } else {
      this.generation = live.generation;
      this.pendingSwitch = false;
    }
    const checkpoint = await readCheckpoint(session, this.projection.name, this.generation);
    if (!checkpoint) throw new Error(`no checkpoint for ${this.projection.name} generation ${this.generation}`);
    this.subscription = new Subscription(this.store, {
      after: checkpoint.after,
      categories: this.projection.categories,
      types: this.projection.eventTypes,
      batchSize: this.options.batchSize ?? 500,
      pollMs: this.options.pollMs ?? 500,
      // Five read models each committing a batch per append would cost the write path more than
      // the appends themselves: under load, a batch at most every 100 ms per read model.
      settleMs: this.options.settleMs ?? 100,
      retryMs: 1_000,
      onError: (error) => this.options.onError?.(error),
      handle: (events, next) => this.handle(session, events, next),
    });
    this.subscription.start();
    if (this.pendingSwitch) void this.switchWhenCaughtUp(session, this.subscription);
  }

  private async handle(session: SqlSession, events: RecordedEvent[], next: AllCursor): Promise<void> {
    const moved = await session.transaction(async (tx) => {
      const live = await activeGeneration(tx, this.projection.name);
      // A rebuild switched the views to another generation: follow it from its own checkpoint.
      if (!this.pendingSwitch && live && live.generation !== this.generation) return true;
      await applyBatch(tx, this.projection, this.generation, events, next);
      return false;
    });
    if (moved && this.subscription) {
      // Not awaited: the subscription being replaced is the one running this very handler. It is
      // detached at once, so that nobody waits on it any more.
      const replaced = this.subscription;
      this.subscription = undefined;
      setImmediate(() => void this.refollow(session, replaced));
    }
  }

  private async refollow(session: SqlSession, replaced: Subscription): Promise<void> {
    await replaced.stop();
    if (this.stopped || this.session !== session) return;
    try {
      await this.follow(session);
    } catch (error) {
      this.options.onError?.(error);
      await this.lost();
    }
  }

  /** After a schema upgrade's first catch-up, the new generation goes live. */
  private async switchWhenCaughtUp(session: SqlSession, subscription: Subscription): Promise<void> {
    try {
      await subscription.whenCaughtUp();
      if (this.subscription !== subscription) return;
      await session.transaction((tx) => switchTo(tx, this.projection, this.generation));
      this.pendingSwitch = false;
      for (const resolve of this.switchWaiters.splice(0)) resolve();
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private async lost(): Promise<void> {
    if (this.stopped) return;
    await this.release();
    this.status = 'waiting_for_lease';
    this.scheduleRetry();
  }

  private async release(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.tryToLead();
    }, this.options.leaseRetryMs ?? 2_000);
    this.retryTimer.unref();
  }
}
