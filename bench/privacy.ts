/**
 * npm run bench:privacy — the personal-data lifecycle in the service itself (its command handler,
 * vault, projections running), on the configured database (DATABASE_URL, else PGlite):
 *   - an erasure (key destroyed, ledger, PersonalDataErased, read model blanked, idempotency records
 *     forgotten, one transaction) against an ordinary command (a contact recorded), p50 in ms;
 *   - the retention job over BENCH_PARCOURS parcours: archive then erase, parcours/s, against the
 *     same number of ordinary commands run one after the other;
 *   - the personal-data export of a parcours against the audit timeline it builds on, p50 in ms.
 * Writes bench/results/privacy.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { createApp } from '../src/app.factory.js';
import { Audit } from '../src/audit/audit.js';
import { FixedClock } from '../src/kernel/clock.js';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { SqlClient } from '../src/database/sql-client.js';
import { SqlEventStore } from '../src/event-store/sql/sql-event-store.js';
import type { Principal } from '../src/access/principal.js';
import { ExecuteParcoursCommand } from '../src/parcours/parcours-write.js';
import type { ParcoursRequest } from '../src/parcours/parcours-request.js';
import { KeyVault } from '../src/privacy/crypto/key-vault.js';
import { PersonalDataExporter } from '../src/personal-data/personal-data-export/personal-data-exporter.js';
import { Retention } from '../src/personal-data/retention/retention.js';
import { PARTNERS, TERRITORIES, seedPartners, writeHistories } from './history.js';
import { median, openBenchPlace, percentile, round2, writeResults } from './support.js';

const PARCOURS = Number(process.env.BENCH_PARCOURS ?? 2_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL;
  const place = await openBenchPlace('privacy');
  const config = new AppConfig({
    ...loadConfig({ LOG_LEVEL: 'warn', DATA_DIR: place.dataDir, DATABASE_URL: place.url ?? '', MASTER_KEY: base ? randomBytes(32).toString('base64') : '', BLIND_INDEX_KEY: base ? randomBytes(32).toString('base64') : '' }),
    port: 0,
  });
  const clock = new FixedClock(new Date('2026-11-28T10:00:00Z'));
  const app = await createApp(config, { clock });
  await app.init();
  const db = app.get(SqlClient);
  const label = base ? `PostgreSQL ${(await db.query<{ server_version: string }>('SHOW server_version'))[0]?.server_version} (${new URL(base).host})` : 'PGlite (embedded, on disk)';
  try {
    await seedPartners(db);
    const commands = app.get(CommandBus);
    const departement = PARTNERS[0]!.id;
    const caseworker: Principal = { kind: 'user', userId: 'bench-caseworker', partnerId: departement, partnerKind: 'departement', territories: TERRITORIES, roles: ['orientation_manager', 'referent'] };
    const dpo: Principal = { ...caseworker, userId: 'bench-dpo', roles: ['dpo'] };
    const execute = (parcoursId: string, request: ParcoursRequest, principal: Principal, role: string) =>
      commands.execute(new ExecuteParcoursCommand(parcoursId, request, principal, role, { actor: { userId: principal.userId!, partnerId: departement, role }, correlationId: randomUUID(), causationId: null }));

    console.log(`bench:privacy on ${label}: opening ${SAMPLES * 2} parcours through the service…`);
    const opened: string[] = [];
    for (let index = 0; index < SAMPLES * 2; index += 1) {
      const parcoursId = randomUUID();
      await execute(
        parcoursId,
        {
          type: 'OpenParcours',
          identity: { firstName: `Prénom${index}`, lastName: `Nom${index}`, birthDate: '1988-04-12', email: `personne${index}@example.fr` },
          householdRole: 'demandeur',
          rsaSocle: true,
          entryOn: '2026-01-05',
          territory: TERRITORIES[0]!,
          source: 'caf',
        },
        caseworker,
        'orientation_manager',
      );
      opened.push(parcoursId);
    }

    // Erasure against an ordinary command, interleaved so that load from elsewhere hits both alike.
    const erasureMs: number[] = [];
    const contactMs: number[] = [];
    for (let index = 0; index < SAMPLES; index += 1) {
      let started = performance.now();
      await execute(opened[2 * index]!, { type: 'RecordContact', contactId: randomUUID(), channel: 'phone', contactedOn: '2026-02-10', partnerId: departement, note: 'A appelé pour un rendez-vous' }, caseworker, 'referent');
      contactMs.push(performance.now() - started);
      started = performance.now();
      await execute(opened[2 * index + 1]!, { type: 'ErasePersonalData', legalGround: 'erasure_request_granted', erasedOn: '2026-11-28' }, dpo, 'dpo');
      erasureMs.push(performance.now() - started);
    }

    // The export of a parcours with a hundred events, against the timeline it is built on.
    const rich = opened[0]!;
    for (let index = 0; index < 100; index += 1) {
      await execute(rich, { type: 'RecordContact', contactId: randomUUID(), channel: 'phone', contactedOn: '2026-03-01', partnerId: departement, note: `Note ${index}` }, caseworker, 'referent');
    }
    const exporter = app.get(PersonalDataExporter);
    const audit = app.get(Audit);
    const exportMs: number[] = [];
    const timelineMs: number[] = [];
    for (let index = 0; index < 50; index += 1) {
      let started = performance.now();
      await audit.timeline(rich, '2026-11-28');
      timelineMs.push(performance.now() - started);
      started = performance.now();
      await exporter.export(rich);
      exportMs.push(performance.now() - started);
    }

    console.log(`writing the histories of ${PARCOURS} more parcours, with their keys…`);
    const { ids } = await writeHistories(app.get(SqlEventStore), PARCOURS);
    const vault = app.get(KeyVault);
    for (const id of ids) await vault.createDataKey(id);

    const retention = app.get(Retention);
    clock.set(new Date('2028-11-29T10:00:00Z'));
    const planStarted = performance.now();
    const plan = await retention.plan();
    const planMs = performance.now() - planStarted;
    let started = performance.now();
    const archive = await retention.run();
    const archivePerSec = archive.archived / ((performance.now() - started) / 1000);
    clock.set(new Date('2030-11-30T10:00:00Z'));
    started = performance.now();
    const erase = await retention.run();
    const erasePerSec = erase.erased / ((performance.now() - started) / 1000);
    if (archive.failed.length || erase.failed.length) throw new Error(`retention failures: ${JSON.stringify([...archive.failed, ...erase.failed].slice(0, 3))}`);

    // Baseline: as many ordinary commands, one after the other, on parcours of the active base
    // (those opened above are archived by now).
    const active: string[] = [];
    for (let index = 0; index < 100; index += 1) {
      const parcoursId = randomUUID();
      await execute(
        parcoursId,
        { type: 'OpenParcours', identity: { firstName: 'Actif', lastName: `Nom${index}`, birthDate: '1990-01-01' }, householdRole: 'demandeur', rsaSocle: true, entryOn: '2030-11-02', territory: TERRITORIES[0]!, source: 'caf' },
        caseworker,
        'orientation_manager',
      );
      active.push(parcoursId);
    }
    const baselineCount = Math.min(archive.archived, 1_000);
    started = performance.now();
    for (let index = 0; index < baselineCount; index += 1) {
      await execute(active[index % active.length]!, { type: 'RecordContact', contactId: randomUUID(), channel: 'email', contactedOn: '2030-11-30', partnerId: departement }, caseworker, 'referent');
    }
    const commandsPerSec = baselineCount / ((performance.now() - started) / 1000);

    const results = {
      database: label,
      parcours: PARCOURS,
      erasure: { p50Ms: round2(median(erasureMs)), p99Ms: round2(percentile(erasureMs, 99)), rawContactP50Ms: round2(median(contactMs)), ratio: round2(median(erasureMs) / median(contactMs)) },
      retention: {
        planned: { toArchive: plan.toArchive.length, toErase: plan.toErase.length, planMs: round2(planMs) },
        archivedPerSec: round2(archivePerSec),
        erasedPerSec: round2(erasePerSec),
        rawCommandsPerSec: round2(commandsPerSec),
        archiveRatio: round2(archivePerSec / commandsPerSec),
        eraseRatio: round2(erasePerSec / commandsPerSec),
      },
      export: { p50Ms: round2(median(exportMs)), rawTimelineP50Ms: round2(median(timelineMs)), ratio: round2(median(exportMs) / median(timelineMs)), events: 101 },
    };
    console.log(`\nbench:privacy — ${label}`);
    console.log(JSON.stringify(results, null, 2));
    console.log(`written to ${writeResults('privacy', results)}`);
  } finally {
    await app.close();
    await place.remove();
  }
}


await main();
