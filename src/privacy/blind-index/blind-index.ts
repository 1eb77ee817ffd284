import { Inject, Injectable } from '@nestjs/common';
import type { SqlExecutor } from '../../database/sql-client.js';
import { type DeleteWrite, type InlineWrite, type RowsWrite, type UpdateWrite, tableColumns } from '../../event-store/inline-writes.js';
import { type BlindIndexKey, BlindIndexKeys, type BlindIndexKind } from './blind-index-keys.js';
import { type AllocataireOrganism, normaliseAllocataire, normaliseNameAndBirthDate, normaliseNir } from './normalise.js';

// Parsed once, when the module loads: the column lists of the writes declared below.
const ENTRY_KIND_COLUMNS = tableColumns('kind text, key_version text');
const ENTRY_COLUMNS = tableColumns('parcours_id uuid, key_version text, kind text, digest bytea, open boolean');

/** The unique index whose violation means "this person already has an open parcours". */
export const ONE_OPEN_PARCOURS_CONSTRAINT = 'parcours_blind_index_one_open';

/** What identifies a person, in clear, as the caller or the file states it. */
export interface PersonIdentifiers {
  nir?: string | null;
  allocataire?: { organism: AllocataireOrganism; number: string } | null;
  lastName?: string | null;
  firstName?: string | null;
  birthDate?: string | null;
}

/** One digest under one key: what a row of `parcours_blind_index` holds, and what a search probes. */
export interface IndexEntry {
  kind: BlindIndexKind;
  keyVersion: string;
  /** Hex. */
  digest: string;
}

/** One entry as a string: two people with an equal key share an identifier. */
export function entryKey(entry: IndexEntry): string {
  return `${entry.keyVersion}|${entry.kind}|${entry.digest}`;
}

/**
 * Computes and writes the blind indexes of a parcours. The entries of a write commit with the
 * events (follow-ups of the append); nothing here ever holds an identifier longer than a call.
 */
@Injectable()
export class BlindIndex {
  constructor(@Inject(BlindIndexKeys) private readonly keys: BlindIndexKeys) {}

  get currentKeyVersion(): string {
    return this.keys.current.version;
  }

  get currentKey(): BlindIndexKey {
    return this.keys.current;
  }

  /**
   * The entries of a beneficiary, under every key in force. `householdRole` qualifies the
   * allocataire number (a household's file, shared by the demandeur and the conjoint).
   */
  entriesOf(person: PersonIdentifiers, householdRole: string, keys = this.keys.all): IndexEntry[] {
    const texts: Array<[BlindIndexKind, string]> = [];
    if (person.nir) texts.push(['nir', normaliseNir(person.nir)]);
    if (person.allocataire?.number) texts.push(['allocataire', normaliseAllocataire(person.allocataire.organism, person.allocataire.number, householdRole)]);
    if (person.lastName && person.firstName && person.birthDate) texts.push(['name_birth', normaliseNameAndBirthDate(person.lastName, person.firstName, person.birthDate)]);
    return keys.flatMap((key) => texts.map(([kind, text]) => ({ kind, keyVersion: key.version, digest: key.digest(kind, text).toString('hex') })));
  }

  /** What a search looks for: each identifier given, the allocataire number for either household role. */
  probesOf(person: PersonIdentifiers): IndexEntry[] {
    const probes = [...this.entriesOf(person, 'demandeur'), ...this.entriesOf({ allocataire: person.allocataire }, 'conjoint')];
    return [...new Map(probes.map((probe) => [`${probe.keyVersion}|${probe.kind}|${probe.digest}`, probe])).values()];
  }

  /**
   * The parcours' entries become exactly `entries` (an opening, a rectification), `open` or not: an
   * upsert, and the deletion of the kinds no longer there (a NIR rectified away). The upsert fails
   * on ONE_OPEN_PARCOURS_CONSTRAINT when another open parcours has one of the digests.
   */
  writeFollowups(parcoursId: string, entries: readonly IndexEntry[], open: boolean): InlineWrite[] {
    return [
      this.entriesWrite(parcoursId, entries, open),
      {
        kind: 'delete',
        table: 'parcours_blind_index',
        match: [{ column: 'parcours_id', type: 'uuid', value: parcoursId }],
        keep: {
          columns: ENTRY_KIND_COLUMNS,
          rows: entries.map((entry) => [entry.kind, entry.keyVersion]),
        },
      },
    ];
  }

  /**
   * The entries of a parcours, upserted: all a new parcours needs (it has no others to delete). Fails
   * on ONE_OPEN_PARCOURS_CONSTRAINT when another open parcours has one of the digests.
   */
  entriesWrite(parcoursId: string, entries: readonly IndexEntry[], open: boolean): RowsWrite {
    return {
      kind: 'rows',
      table: 'parcours_blind_index',
      columns: ENTRY_COLUMNS,
      rows: entries.map((entry) => [parcoursId, entry.keyVersion, entry.kind, Buffer.from(entry.digest, 'hex'), open]),
      onConflict: 'ON CONFLICT (parcours_id, key_version, kind) DO UPDATE SET digest = EXCLUDED.digest, open = EXCLUDED.open',
    };
  }

  /** The parcours exited (false) or reopened (true); a reopening fails on ONE_OPEN_PARCOURS_CONSTRAINT if the person has another open parcours. */
  openFollowup(parcoursId: string, open: boolean): UpdateWrite {
    return { kind: 'update', table: 'parcours_blind_index', set: [{ column: 'open', type: 'boolean', value: open }], match: [{ column: 'parcours_id', type: 'uuid', value: parcoursId }] };
  }

  /** Erasure: the entries go with the key, in the same statement. */
  erasureFollowup(parcoursId: string): DeleteWrite {
    return { kind: 'delete', table: 'parcours_blind_index', match: [{ column: 'parcours_id', type: 'uuid', value: parcoursId }] };
  }

  /** Which of `probes` match an entry (of an open parcours, if asked), as `entryKey`s: for a batch of people, one query. */
  async matchedEntries(db: SqlExecutor, probes: readonly IndexEntry[], options: { openOnly?: boolean } = {}): Promise<Set<string>> {
    if (probes.length === 0) return new Set();
    const rows = await db.query<{ k: string; v: string; d: string }>(
      `SELECT DISTINCT p.k, p.v, p.d
         FROM unnest($1::text[], $2::text[], $3::text[]) AS p(k, v, d)
         JOIN parcours_blind_index b ON b.kind = p.k AND b.key_version = p.v AND b.digest = decode(p.d, 'hex')
        WHERE ($4::boolean IS NOT TRUE OR b.open)`,
      [probes.map((probe) => probe.kind), probes.map((probe) => probe.keyVersion), probes.map((probe) => probe.digest), options.openOnly ?? false],
    );
    return new Set(rows.map((row) => entryKey({ kind: row.k as BlindIndexKind, keyVersion: row.v, digest: row.d })));
  }

  /** The parcours whose entries match any of `probes`, with the kinds that matched; open ones only if asked. */
  async matches(db: SqlExecutor, probes: readonly IndexEntry[], options: { openOnly?: boolean; except?: string } = {}): Promise<Map<string, BlindIndexKind[]>> {
    if (probes.length === 0) return new Map();
    const rows = await db.query<{ parcours_id: string; kind: BlindIndexKind }>(
      `SELECT DISTINCT b.parcours_id::text AS parcours_id, b.kind
         FROM parcours_blind_index b
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS p(k, v, d) ON b.kind = p.k AND b.key_version = p.v AND b.digest = decode(p.d, 'hex')
        WHERE ($4::boolean IS NOT TRUE OR b.open) AND ($5::uuid IS NULL OR b.parcours_id <> $5::uuid)`,
      [probes.map((probe) => probe.kind), probes.map((probe) => probe.keyVersion), probes.map((probe) => probe.digest), options.openOnly ?? false, options.except ?? null],
    );
    const found = new Map<string, BlindIndexKind[]>();
    for (const row of rows) found.set(row.parcours_id, [...(found.get(row.parcours_id) ?? []), row.kind]);
    return found;
  }
}
