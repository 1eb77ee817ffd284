import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import { callerOf } from '../access/caller.js';
import { mayOpenByIntake } from '../access/parcours-rule.js';
import { Clock } from '../kernel/clock.js';
import { AppConfig } from '../config/app-config.js';
import { SqlClient } from '../database/sql-client.js';
import { EventStore, NewStreamsConflictError } from '../event-store/event-store.js';
import { type InlineWrite, type RowsWrite, tableColumns } from '../event-store/inline-writes.js';
import { ProblemError } from '../http/problem.js';
import { actorOf } from '../http/request-context.js';
import { ExecuteParcoursCommand, ExecuteParcoursCommandHandler, type ParcoursCommandResult } from '../parcours/parcours-write.js';
import type { Principal } from '../access/principal.js';
import type { Role } from '../access/roles.js';
import { AccessJournal } from '../access-journal/access-journal.js';
import { BlindIndex, type IndexEntry, entryKey } from '../privacy/blind-index/blind-index.js';
import { DataKeyWrites } from '../privacy/crypto/key-vault.js';
import { loadCommuneTerritories } from './communes.js';
import { CsvSyntaxError, readCsv } from './csv-reader.js';
import { type Header, type IntakeEntrant, type LineError, readEntrant, readHeader } from './intake-format.js';

// Parsed once, when the module loads: the column lists of the writes declared below.
const LINE_COLUMNS = tableColumns('import_id uuid, line integer, outcome text, parcours_id uuid');

/** Lines per batch: their new entrants are opened in one statement (about 50 parameters each, far below PostgreSQL's 65 535). */
const INTAKE_BATCH = 100;

/** Names the deterministic ids of an import (its id, each line's parcours). */
const INTAKE_NAMESPACE = '6f0d3c52-1f4e-4b8a-9c2d-7e5a4b3c2d1f';

export type LineOutcome = 'opened' | 'rights_changed' | 'unchanged' | 'invalid';

export interface IntakeReport {
  importId: string;
  fileSha256: string;
  /** Data lines (the header and blank lines excepted). */
  lines: number;
  opened: number;
  rightsChanged: number;
  unchanged: number;
  invalid: number;
  /** Line by line, column by column: a code, never the value. */
  errors: LineError[];
  /** The file had been imported in full before: nothing was written this time. */
  alreadyImported: boolean;
  /** Lines done by an earlier, interrupted run of the same file (resumed). */
  resumedLines: number;
}

export interface IntakeCaller {
  principal: Principal;
  actingRole: Role;
  correlationId: string;
}

export class IntakeFileError extends ProblemError {
  constructor(errors: LineError[], detail: string) {
    super(422, 'invalid_intake_file', 'The file cannot be read as an intake file', detail, { errors });
  }
}

/**
 * The intake of the CAF/MSA monthly flow of RSA entrants: one parcours opened per new entrant, in
 * the EPCI of its commune; a person who already has an open parcours (found by the blind indexes)
 * gets no second one, only a change of rights if the file says so. Each line commits with its
 * record in `intake_lines`, so an import cut short resumes where it was, and a file imported in
 * full writes nothing the second time.
 */
@Injectable()
export class Intake {
  private readonly communes: ReadonlyMap<string, string>;

  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(BlindIndex) private readonly blindIndex: BlindIndex,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ExecuteParcoursCommandHandler) private readonly openings: ExecuteParcoursCommandHandler,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(DataKeyWrites) private readonly vault: DataKeyWrites,
  ) {
    this.communes = loadCommuneTerritories(config.intakeCommunesFile);
  }

  async import(file: Buffer, caller: IntakeCaller, onProgress: (done: number, total: number) => void = () => undefined): Promise<IntakeReport> {
    const fileSha256 = createHash('sha256').update(file).digest('hex');
    // What a line may do depends on who imports it: the same file by another organisation or role is another import.
    const importId = uuidv5(`import\n${fileSha256}\n${caller.principal.partnerId.toLowerCase()}\n${caller.actingRole}`, INTAKE_NAMESPACE);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(file);
    let records;
    try {
      records = [...readCsv(text)];
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw new IntakeFileError([{ line: error.line, column: 'line', code: 'invalid_format' }], error.message);
      throw error;
    }
    const [first, ...data] = records;
    if (!first) throw new IntakeFileError([{ line: 1, column: 'line', code: 'required' }], 'the file is empty: a header line and one line per person are expected');
    const { header, errors: headerErrors } = readHeader(first);
    if (headerErrors.length) throw new IntakeFileError(headerErrors, `${headerErrors.length} required column(s) missing from the header line`);

    const [known] = await this.db.query<{ status: string }>('SELECT status FROM intake_imports WHERE import_id = $1', [importId]);
    if (known?.status === 'done') {
      onProgress(data.length, data.length);
      return { ...(await this.report(importId, fileSha256, data.length)), alreadyImported: true };
    }
    if (!known) {
      await this.db.query(
        `INSERT INTO intake_imports (import_id, file_sha256, partner_id, acting_role, lines, status, started_by) VALUES ($1, $2, $3, $4, $5, 'running', $6) ON CONFLICT (import_id) DO NOTHING`,
        [importId, fileSha256, caller.principal.partnerId, caller.actingRole, data.length, caller.principal.userId ?? `api-key:${caller.principal.apiKeyId}`],
      );
    }
    await this.journal.record({ actor: actorOf(caller.principal, caller.actingRole), operation: 'intake.import', recordType: 'store', recordId: importId, outcome: 'ok', correlationId: caller.correlationId });
    const done = new Set((await this.db.query<{ line: number }>('SELECT line FROM intake_lines WHERE import_id = $1', [importId])).map((row) => row.line));
    const resumedLines = done.size;
    const pending = data.filter((record) => !done.has(record.line));
    let count = resumedLines;
    onProgress(count, data.length);
    const today = this.clock.today();
    // Batches of lines, a few at a time: each batch's new entrants are opened in one statement
    // (one round trip, one commit), which a server can overlap with the others'.
    const batches: Array<typeof pending> = [];
    for (let start = 0; start < pending.length; start += INTAKE_BATCH) batches.push(pending.slice(start, start + INTAKE_BATCH));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await this.batch(importId, fileSha256, batch, header, caller, today);
        count += batch.length;
        onProgress(count, data.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.intakeConcurrency, Math.max(1, batches.length)) }, worker));
    await this.db.query(`UPDATE intake_imports SET status = 'done', finished_at = now() WHERE import_id = $1`, [importId]);
    return { ...(await this.report(importId, fileSha256, data.length)), alreadyImported: false, resumedLines };
  }

  /**
   * A batch of lines. What is common — a new person, in a territory the importer serves — is
   * opened with the batch, in one statement: the openings the command handler would make one by
   * one (`prepareOpening`: the same events and writes), each with its line's record. Everything
   * else goes line by line (`line`): an invalid line, a person already followed or named twice in
   * the batch, a parcours id or key that exists (a run cut short), and every line of a batch whose
   * statement failed (a person opened meanwhile by someone else: the unique blind index).
   */
  private async batch(importId: string, fileSha256: string, records: ReadonlyArray<Parameters<typeof readEntrant>[0]>, header: Header, caller: IntakeCaller, today: string): Promise<void> {
    const oneByOne: Array<Parameters<typeof readEntrant>[0]> = [];
    const candidates: Array<{ record: Parameters<typeof readEntrant>[0]; entrant: IntakeEntrant; entries: IndexEntry[] }> = [];
    const named = new Set<string>();
    const importer = callerOf(caller.principal, [caller.actingRole]);
    for (const record of records) {
      const entrant = readEntrant(record, header, (commune) => this.communes.get(commune), today);
      if (Array.isArray(entrant) || !mayOpenByIntake(importer, entrant.territory) || entrant.identity.birthDate > entrant.rightsOpenedOn) {
        oneByOne.push(record);
        continue;
      }
      const entries = this.blindIndex.entriesOf(entrant.identity, entrant.householdRole);
      const keys = entries.map(entryKey);
      if (keys.some((key) => named.has(key))) oneByOne.push(record);
      else candidates.push({ record, entrant, entries });
      for (const key of keys) named.add(key);
    }
    const followed = await this.blindIndex.matchedEntries(this.db, candidates.flatMap((candidate) => candidate.entries), { openOnly: true });
    const fresh = candidates.filter((candidate) => {
      const known = candidate.entries.some((entry) => followed.has(entryKey(entry)));
      if (known) oneByOne.push(candidate.record);
      return !known;
    });
    const parcoursIds = fresh.map((candidate) => uuidv5(`parcours\n${importId}\n${candidate.entrant.line}`, INTAKE_NAMESPACE));
    const keys = await this.vault.dataKeysToCommit(parcoursIds);
    const metadata = { actor: actorOf(caller.principal, caller.actingRole), correlationId: caller.correlationId, causationId: null };
    const openings = fresh.flatMap((candidate, index) => {
      const dataKey = keys[index];
      if (!dataKey) {
        oneByOne.push(candidate.record);
        return [];
      }
      const { entrant } = candidate;
      const parcoursId = parcoursIds[index]!;
      try {
        const append = this.openings.prepareOpening(parcoursId, this.openingOf(entrant), caller.principal, caller.actingRole, metadata, dataKey, [this.lineFollowup(importId, entrant.line, 'opened', parcoursId)]);
        return [{ record: candidate.record, dataKey, append }];
      } catch {
        // A rule of the decider refuses it: the one-by-one way reports the line with its code.
        dataKey.settle(false);
        oneByOne.push(candidate.record);
        return [];
      }
    });
    let appended: unknown[] = [];
    try {
      appended = await this.store.appendNewStreams(openings.map((opening) => opening.append));
    } catch (error) {
      // Nothing of the batch was written: each of its openings goes the one-by-one way.
      if (!(error instanceof NewStreamsConflictError)) throw error;
    }
    openings.forEach((opening, index) => {
      opening.dataKey.settle(appended[index] !== undefined);
      if (appended[index] === undefined) oneByOne.push(opening.record);
    });
    for (const record of oneByOne.sort((a, b) => a.line - b.line)) await this.line(importId, fileSha256, record, header, caller, today);
  }

  private openingOf(entrant: IntakeEntrant): Extract<ConstructorParameters<typeof ExecuteParcoursCommand>[1], { type: 'OpenParcours' }> {
    return {
      type: 'OpenParcours',
      identity: entrant.identity,
      householdRole: entrant.householdRole,
      rsaSocle: entrant.rights !== 'non_socle',
      rsaRights: entrant.rights,
      entryOn: entrant.rightsOpenedOn,
      territory: entrant.territory,
      source: entrant.source,
    };
  }

  private async line(importId: string, fileSha256: string, record: Parameters<typeof readEntrant>[0], header: Header, caller: IntakeCaller, today: string): Promise<void> {
    const entrant = readEntrant(record, header, (commune) => this.communes.get(commune), today);
    if (Array.isArray(entrant)) {
      await this.recordLine(importId, record.line, 'invalid', null, entrant.map(({ column, code }) => ({ column, code })));
      return;
    }
    const existing = await this.openParcoursOf(entrant);
    if (existing) return this.rightsOf(importId, entrant, existing, caller, today);
    if (!mayOpenByIntake(callerOf(caller.principal, [caller.actingRole]), entrant.territory)) {
      await this.recordLine(importId, entrant.line, 'invalid', null, [{ column: 'code_commune', code: 'territory_not_served' }]);
      return;
    }
    const parcoursId = uuidv5(`parcours\n${importId}\n${entrant.line}`, INTAKE_NAMESPACE);
    try {
      const result = await this.execute(parcoursId, caller, this.openingOf(entrant), this.lineFollowup(importId, entrant.line, 'opened', parcoursId));
      if (!result.changed) await this.recordLine(importId, entrant.line, 'unchanged', parcoursId, null);
    } catch (error) {
      // Opened meanwhile for the same person (another line, another caseworker): that parcours is theirs.
      if (error instanceof ProblemError && error.code === 'parcours_exists') {
        const found = await this.openParcoursOf(entrant);
        if (found) return this.rightsOf(importId, entrant, found, caller, today);
      }
      if (error instanceof ProblemError && error.status === 422) {
        await this.recordLine(importId, entrant.line, 'invalid', null, [{ column: 'line', code: error.code }]);
        return;
      }
      throw error;
    }
  }

  /** A person already followed: their parcours is not duplicated; the change of rights, if any, is recorded on it. */
  private async rightsOf(importId: string, entrant: IntakeEntrant, parcoursId: string, caller: IntakeCaller, today: string): Promise<void> {
    try {
      const result = await this.execute(parcoursId, caller, { type: 'RecordRsaRights', rights: entrant.rights, rightsOn: today, source: entrant.source }, this.lineFollowup(importId, entrant.line, 'rights_changed', parcoursId));
      if (!result.changed) await this.recordLine(importId, entrant.line, 'unchanged', parcoursId, null);
    } catch (error) {
      // Not reached by the caller (a coordinator outside its territories), or a rule of the parcours: reported, not fatal.
      if (error instanceof ProblemError && (error.status === 404 || error.status === 422)) {
        await this.recordLine(importId, entrant.line, 'invalid', null, [{ column: 'line', code: error.status === 404 ? 'parcours_not_reachable' : error.code }]);
        return;
      }
      throw error;
    }
  }

  private async openParcoursOf(entrant: IntakeEntrant): Promise<string | undefined> {
    const found = await this.blindIndex.matches(this.db, this.blindIndex.entriesOf(entrant.identity, entrant.householdRole), { openOnly: true });
    return [...found.keys()].sort()[0];
  }

  private async execute(parcoursId: string, caller: IntakeCaller, request: ConstructorParameters<typeof ExecuteParcoursCommand>[1], followup: InlineWrite): Promise<ParcoursCommandResult> {
    return this.commands.execute(
      new ExecuteParcoursCommand(parcoursId, request, caller.principal, caller.actingRole, { actor: actorOf(caller.principal, caller.actingRole), correlationId: caller.correlationId, causationId: null }, {
        actingRoles: [caller.actingRole],
        followups: () => [followup],
      }),
    );
  }

  private lineFollowup(importId: string, line: number, outcome: LineOutcome, parcoursId: string): RowsWrite {
    return {
      kind: 'rows',
      table: 'intake_lines',
      columns: LINE_COLUMNS,
      rows: [[importId, line, outcome, parcoursId]],
    };
  }

  private async recordLine(importId: string, line: number, outcome: LineOutcome, parcoursId: string | null, errors: Array<{ column: string; code: string }> | null): Promise<void> {
    await this.db.query(
      `INSERT INTO intake_lines (import_id, line, outcome, parcours_id, errors) VALUES ($1, $2, $3, $4, $5::json) ON CONFLICT (import_id, line) DO NOTHING`,
      [importId, line, outcome, parcoursId, errors ? JSON.stringify(errors) : null],
    );
  }

  /** What an import did, from its lines. */
  async report(importId: string, fileSha256: string, lines: number): Promise<Omit<IntakeReport, 'alreadyImported' | 'resumedLines'> & { alreadyImported: boolean; resumedLines: number }> {
    const rows = await this.db.query<{ line: number; outcome: LineOutcome; errors: Array<{ column: LineError['column']; code: LineError['code'] }> | null }>(
      'SELECT line, outcome, errors FROM intake_lines WHERE import_id = $1 ORDER BY line',
      [importId],
    );
    const count = (outcome: LineOutcome) => rows.filter((row) => row.outcome === outcome).length;
    return {
      importId,
      fileSha256,
      lines,
      opened: count('opened'),
      rightsChanged: count('rights_changed'),
      unchanged: count('unchanged'),
      invalid: count('invalid'),
      errors: rows.flatMap((row) => (row.errors ?? []).map((error) => ({ line: row.line, column: error.column, code: error.code }))),
      alreadyImported: false,
      resumedLines: 0,
    };
  }
}
