import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { pendingMigrations } from '../database/migrator.js';
import { AppConfig } from '../config/app-config.js';
import { SqlClient } from '../database/sql-client.js';
import { ProjectionsService } from '../projections/projections.module.js';
import { Public } from '../partners/auth/access.decorators.js';
import { ApiExcludeController } from '@nestjs/swagger';

/** Probes are public (hence never rate-limited): an orchestrator must always get an answer. */
@Public()
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(SqlClient) private readonly db: SqlClient,
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
   * lags behind the events by more than PROJECTION_LAG_READY_SECONDS.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(async () => {
            await this.db.query('SELECT 1');
            return { dialect: this.db.dialect };
          })
          .withTimeout(2000),
      async () => {
        const session = this.indicators.check('migrations');
        const pending = await pendingMigrations(this.db).catch(() => null);
        if (pending === null) return session.down({ message: 'migration table unreadable' });
        return pending.length === 0 ? session.up() : session.down({ pending });
      },
      async () => {
        const session = this.indicators.check('projections');
        const statuses = await this.projections.statuses();
        const lagging = statuses.filter((status) => status.lagSeconds > this.config.projectionLagReadySeconds);
        const lag = Object.fromEntries(statuses.map((status) => [status.name, { lagEvents: status.lagEvents, lagSeconds: status.lagSeconds }]));
        return lagging.length === 0 ? session.up(lag) : session.down({ lagging: lagging.map((status) => status.name), ...lag });
      },
    ]);
  }
}
