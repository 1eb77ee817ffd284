import type { RecordedEvent } from '../../event-store/event-store.js';
import type { Timeline } from '../../audit/timeline/timeline.js';
import type { Identity } from '../../privacy/identity.js';

/**
 * What the system holds about one person (RGPD art. 15), as the DPO hands it over: the identity,
 * every event of the parcours in readable form with the notes written about the person, and who
 * accessed the record, from the access journal.
 *
 * Organisations are named; caseworkers are not (their user ids are the staff's personal data, and
 * the person's right is to know which organisations saw the record — art. 15.1 (c), "recipients").
 */
export interface PersonalDataExport {
  parcoursId: string;
  generatedAt: string;
  /** The identity held now, or the erasure that removed it. */
  identity: Identity | { erased: true };
  /**
   * The earlier values a rectification replaced, still held as ciphertext under the same key
   * (RGPD art. 16): shown so that the person sees everything that is kept.
   */
  replacedIdentities: Array<{ until: string; identity: Identity }>;
  /** The limits the person obtained, the archive, as they stand. */
  status: {
    parcoursStatus: string;
    archivedOn: string | null;
    restrictedSince: string | null;
    opposedSince: string | null;
  };
  events: ExportedEvent[];
  /** Each organisation that accessed the record, with how often and when (from the access journal). */
  recipients: Array<{ partnerId: string | null; partnerName: string | null; accesses: number; firstAt: string; lastAt: string }>;
  accessJournal: ExportedAccess[];
  /** How long the access journal is kept: older accesses are no longer known. */
  accessJournalRetentionMonths: number;
}

export interface ExportedEvent {
  on: string;
  recordedAt: string;
  streamVersion: number;
  eventId: string;
  type: string;
  title: string;
  detail: string;
  organisation: string | null;
  role: string | null;
  /** The note of a contact, decrypted; `erased` when the key is gone. */
  note?: string | { erased: true };
}

export interface ExportedAccess {
  at: string;
  partnerId: string | null;
  partnerName: string | null;
  role: string | null;
  operation: string;
  outcome: string;
}

/** The readable events: the audit timeline's French labels, and the notes it never shows. */
export function exportedEvents(timeline: Timeline, notes: ReadonlyMap<string, string | { erased: true }>): ExportedEvent[] {
  return timeline.entries.map((entry) => ({
    on: entry.on,
    recordedAt: entry.recordedAt,
    streamVersion: entry.streamVersion,
    eventId: entry.eventId,
    type: entry.type,
    title: entry.title,
    detail: entry.detail,
    organisation: entry.actor.partnerName ?? entry.actor.partnerId,
    role: entry.actor.role,
    ...(notes.has(entry.eventId) ? { note: notes.get(entry.eventId)! } : {}),
  }));
}

export function recipientsOf(accesses: readonly ExportedAccess[]): PersonalDataExport['recipients'] {
  const byPartner = new Map<string | null, PersonalDataExport['recipients'][number]>();
  for (const access of accesses) {
    const seen = byPartner.get(access.partnerId);
    if (seen) {
      seen.accesses += 1;
      seen.lastAt = access.at;
    } else {
      byPartner.set(access.partnerId, { partnerId: access.partnerId, partnerName: access.partnerName, accesses: 1, firstAt: access.at, lastAt: access.at });
    }
  }
  return [...byPartner.values()];
}

/** The ciphertexts of contact notes, by event id (what must be decrypted for the export). */
export function noteCiphertexts(events: readonly RecordedEvent[]): Map<string, string> {
  const notes = new Map<string, string>();
  for (const event of events) {
    if (event.type !== 'ContactRecorded') continue;
    const note = (event.data as { note?: { ciphertext?: unknown } | null }).note;
    if (typeof note?.ciphertext === 'string') notes.set(event.eventId, note.ciphertext);
  }
  return notes;
}

/** The identities held before each rectification, with the day they were replaced. */
export function identityCiphertexts(events: readonly RecordedEvent[]): Array<{ ciphertext: string; replacedOn: string | null }> {
  const held: Array<{ ciphertext: string; replacedOn: string | null }> = [];
  for (const event of events) {
    if (event.type !== 'ParcoursOpened' && event.type !== 'IdentityRectified') continue;
    const data = event.data as { identity?: { ciphertext?: unknown }; rectifiedOn?: string };
    if (typeof data.identity?.ciphertext !== 'string') continue;
    const previous = held.at(-1);
    if (previous && event.type === 'IdentityRectified') previous.replacedOn = data.rectifiedOn ?? null;
    held.push({ ciphertext: data.identity.ciphertext, replacedOn: null });
  }
  return held;
}
