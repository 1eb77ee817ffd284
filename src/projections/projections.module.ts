import { Controller, Get, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type BeforeApplicationShutdown, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { AppConfig, runsBackgroundWork } from '../config/app-config.js';
import { SqlClient } from '../database/sql-client.js';
import { EventStore } from '../event-store/event-store.js';
import { Public } from '../access/access.decorators.js';
import { ProjectionRunner } from './projection-runner.js';
import { type ProjectionStatus, projectionStatus } from './projection-status.js';
import { register } from './projection-tables.js';
import { ASYNC_READ_MODELS, type Projection } from './projection.js';

/** Runs every projection in the background (one writer per projection across instances). */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');
  readonly runners: ProjectionRunner[];

  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(EventStore) store: EventStore,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ASYNC_READ_MODELS) projections: readonly Projection[],
  ) {
    this.runners = projections.map(
      (projection) =>
        new ProjectionRunner(db, store, projection, {
          pollMs: config.subscriptionPollMs,
          onError: (error) => this.logger.error({ projection: projection.name, err: error }, 'projection batch failed; retrying'),
        }),
    );
  }

  /** Whether this process projects (PROCESS_ROLE all or worker); an `api` process only reads the read models. */
  get running(): boolean {
    return runsBackgroundWork(this.config);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.running) {
      // The read models' tables and views still exist from the first start, so that an api process
      // started before any worker answers reads (empty) rather than failing on a missing relation.
      await Promise.all(this.runners.map((runner) => this.db.transaction((tx) => register(tx, runner.projection))));
      this.logger.log('PROCESS_ROLE=api: no projection runner in this process (worker processes project)');
      return;
    }
    await Promise.all(this.runners.map((runner) => runner.start()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  /** Every read model has applied every event visible now (tests, the rebuild benchmark). */
  async whenCaughtUp(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.whenCaughtUp()));
  }

  async statuses(): Promise<Array<ProjectionStatus & { state: string }>> {
    return Promise.all(this.runners.map(async (runner) => ({ ...(await projectionStatus(this.db, runner.projection)), state: runner.state })));
  }
}

/** Prometheus metrics: projection lag (events and seconds) and errors, plus the process's own. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  constructor(@Inject(ProjectionsService) projections: ProjectionsService) {
    collectDefaultMetrics({ register: this.registry });
    let last: Promise<Array<ProjectionStatus & { state: string }>> | undefined;
    // One status query per scrape, shared by the three gauges.
    const statuses = () => (last ??= projections.statuses().finally(() => setTimeout(() => (last = undefined), 1_000).unref()));
    const gauge = (name: string, help: string, value: (status: ProjectionStatus) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['projection'],
        registers: [this.registry],
        async collect() {
          for (const status of await statuses()) this.set({ projection: status.name }, value(status));
        },
      });
    gauge('spie_projection_lag_events', 'Events a projection reads that it has not applied yet', (status) => status.lagEvents);
    gauge('spie_projection_lag_seconds', 'Age of the oldest event a projection has not applied yet', (status) => status.lagSeconds);
    gauge('spie_projection_errors', 'Events a projection could not apply (recorded and skipped)', (status) => status.errors);
  }
}

@Public()
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  /** No personal data here: counters and lags only, so scrapers need no token. */
  @Get()
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}

@Module({
  providers: [ProjectionsService, Metrics],
  controllers: [MetricsController],
  exports: [ProjectionsService],
})
export class ProjectionsModule {}
