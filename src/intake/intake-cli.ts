import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type INestApplicationContext } from '@nestjs/common';
import { Presets, SingleBar } from 'cli-progress';
import { actingRolesFor } from '../access/caller.js';
import { INTAKE_IMPORTERS } from '../access/functions.js';
import { type Clock, SystemClock } from '../kernel/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { SqlClient } from '../database/sql-client.js';
import type { Principal } from '../access/principal.js';
import { type PartnerKind, type Role, isRole } from '../access/roles.js';
import { openParcoursWriteContext } from '../parcours/parcours-write.module.js';
import { Intake, type IntakeReport } from './intake.js';

/** `intake import`: the service's own write path (the command handler, the vault, the blind indexes) without HTTP, projections or schedulers (the CLI, the benchmark). */
export async function openIntakeContext(config: AppConfig, clock: Clock = new SystemClock()): Promise<INestApplicationContext> {
  return openParcoursWriteContext(config, clock, [Intake]);
}

export async function intakeImportCommand(config: AppConfig, file: string, options: { as: string; quiet?: boolean; json?: boolean }, clock: Clock = new SystemClock()): Promise<string> {
  const bytes = readFileSync(file);
  const app = await openIntakeContext(config, clock);
  try {
    const { principal, actingRole } = await operator(app.get(SqlClient), options.as);
    // A bar on a terminal; in a log or under a supervising process, a line per percent done.
    const tty = process.stderr.isTTY === true;
    const bar = options.quiet || !tty ? undefined : new SingleBar({ format: ' {bar} {value}/{total} lines | {eta_formatted} left', etaBuffer: 500 }, Presets.shades_classic);
    bar?.start(0, 0);
    let printed = -1;
    const progress = (done: number, total: number) => {
      if (bar) {
        bar.setTotal(total);
        bar.update(done);
        return;
      }
      const step = Math.max(1, Math.floor(total / 100));
      if (options.quiet || total === 0 || (done !== total && Math.floor(done / step) === printed)) return;
      printed = Math.floor(done / step);
      process.stderr.write(`${done}/${total} lines\n`);
    };
    let report: IntakeReport;
    try {
      report = await app.get(Intake).import(bytes, { principal, actingRole, correlationId: randomUUID() }, progress);
    } finally {
      bar?.stop();
    }
    if (options.json) return `${JSON.stringify(report, null, 2)}\n`;
    const lines = [
      report.alreadyImported
        ? `${file}: imported before (import ${report.importId}); nothing written`
        : `${file}: import ${report.importId}${report.resumedLines ? `, resumed after ${report.resumedLines} lines` : ''}`,
      `${report.lines} lines: ${report.opened} parcours opened, ${report.rightsChanged} changes of rights, ${report.unchanged} already followed, ${report.invalid} invalid`,
      ...report.errors.map((error) => `line ${error.line}\t${error.column}\t${error.code}`),
    ];
    return `${lines.join('\n')}\n`;
  } finally {
    await app.close();
  }
}

/** The member the import acts as: a coordinator or a platform administrator of an active organisation. */
async function operator(db: SqlClient, sub: string): Promise<{ principal: Principal; actingRole: Role }> {
  const [row] = await db.query<{ partner_id: string; roles: string[]; kind: PartnerKind; territories: string[]; active: boolean }>(
    'SELECT m.partner_id, m.roles, p.kind, p.territories, p.active FROM partner_members m JOIN partners p ON p.partner_id = m.partner_id WHERE m.user_id = $1',
    [sub],
  );
  if (!row || !row.active) throw new Error(`--as ${sub}: not a member of an active organisation`);
  const roles = row.roles.filter(isRole);
  const [actingRole] = actingRolesFor(INTAKE_IMPORTERS, roles);
  if (!actingRole) throw new Error(`--as ${sub}: an import needs the coordinator or platform_admin role`);
  return { principal: { kind: 'user', userId: sub, partnerId: row.partner_id, partnerKind: row.kind, territories: row.territories, roles }, actingRole };
}
