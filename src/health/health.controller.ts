import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config.js';
import { DatabaseHealth, probeFailure } from './database-health.js';
import { ProjectionsService } from '../projections/projections.module.js';
import { Public } from '../access/access.decorators.js';
import { ApiExcludeController } from '@nestjs/swagger';

type IndicatorSession = ReturnType<HealthIndicatorService['check']>;

/** Probes are public (hence never rate-limited): an orchestrator must always get an answer. */
@Public()
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(DatabaseHealth) private readonly database: DatabaseHealth,
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Liveness: the process answers. Deliberately touches nothing else, so a slow database does not get it killed. */
  @Get()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness: the database answers, carries every migration this version needs, and no read model
   * lags behind the events by more than PROJECTION_LAG_READY_SECONDS. Each check is down if it has
   * not answered within READINESS_TIMEOUT_MS: a probe must get its 503 promptly when the database
   * hangs (a held lock, a server that no longer answers), not when the orchestrator gives up.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    // An api process does not project: a lagging (or absent) worker must not take every api
    // process out of service, so its readiness leaves the lag to /metrics and to the workers'.
    const projections = this.projections.running ? [this.projectionsCheck()] : [];
    return this.health.check([
      () =>
        this.timeBoxed('database', async (session) => {
          const dialect = await this.database.answers();
          return session.up({ dialect });
        }),
      () =>
        this.timeBoxed('migrations', async (session) => {
          const pending = await this.database.pendingMigrations();
          if (pending === null) return session.down({ message: 'migration table unreadable' });
          return pending.length === 0 ? session.up() : session.down({ pending });
        }),
      ...projections,
    ]);
  }

  private projectionsCheck() {
    return () =>
      this.timeBoxed('projections', async (session) => {
        const statuses = await this.projections.statuses();
        const lagging = statuses.filter((status) => status.lagSeconds > this.config.projectionLagReadySeconds);
        const lag = Object.fromEntries(statuses.map((status) => [status.name, { lagEvents: status.lagEvents, lagSeconds: status.lagSeconds }]));
        return lagging.length === 0 ? session.up(lag) : session.down({ lagging: lagging.map((status) => status.name), ...lag });
      });
  }

  /** The check's own verdict, or down if it takes longer than READINESS_TIMEOUT_MS (it goes on, unwaited). */
  private async timeBoxed(key: string, check: (session: IndicatorSession) => Promise<HealthIndicatorResult>): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    const ms = this.config.readinessTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<HealthIndicatorResult>((resolve) => {
      timer = setTimeout(() => resolve(session.down({ message: `no answer within ${ms} ms` })), ms);
    });
    try {
      // The probe is public: it says what kind of failure, never the driver's message.
      const failed = (error: unknown) => session.down({ message: probeFailure(error) });
      return await Promise.race([check(session).catch(failed), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
