import { Inject, Injectable } from '@nestjs/common';
import { AccessJournal, type JournalEntry } from '../access-journal/access-journal.js';
import type { DeleteWrite, InlineWrite } from '../event-store/inline-writes.js';
import { BlindIndex, type IndexEntry } from '../privacy/blind-index/blind-index.js';
import { type DataKeyToCommit, DataKeyWrites } from '../privacy/crypto/key-vault.js';
import type { ParcoursEvent, PersonalDataErasedData } from './domain/events.js';
import type { ParcoursState } from './domain/state.js';
import { parcoursDetailsFollowups } from './read-models/parcours-details/parcours-details.projection.js';

/** A parcours' new events, about to be appended, and what the writes that commit with them are made of. */
export interface ParcoursChange {
  after: ParcoursState;
  /** The stream's version once they are appended. */
  version: number;
  events: ReadonlyArray<{ type: string; data: unknown }>;
  /** The stream is new (an opening, a demo or intake batch): nothing of an earlier identity to delete or update. */
  opening: boolean;
  /** The retention clock's day (R. 263-8 CASF); null for what is not accompaniment, which keeps the day stored. */
  lastActivityOn: string | null;
  journal: JournalEntry;
  /** A new parcours' data key. */
  dataKey?: DataKeyToCommit;
  /** The person's blind-index entries, when the identity was set or corrected. */
  index?: readonly IndexEntry[];
}

/**
 * The one place that says what commits with a parcours' events, whoever appends them (a command, a
 * batch of the intake, the demo loader): the data key, the inline read model (`parcours_details`
 * and its collections), the blind indexes, an erasure's key destruction and forgotten answers, the
 * access journal entry. Declared writes (inline-writes.ts): the store writes them in the append's
 * statement. The asynchronous read models are listed in read-models.ts.
 */
@Injectable()
export class ParcoursInlineWrites {
  constructor(
    @Inject(BlindIndex) private readonly blindIndex: BlindIndex,
    @Inject(DataKeyWrites) private readonly keys: DataKeyWrites,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
  ) {}

  of(change: ParcoursChange): InlineWrite[] {
    return [
      ...(change.dataKey?.followups ?? []),
      ...parcoursDetailsFollowups(change.after, change.version, change.lastActivityOn, change.events),
      ...this.identityWrites(change),
      this.journal.followup(change.journal),
    ];
  }

  /** Once the append is over (`stored`: it committed): a new key cached, an erased one forgotten by this instance. */
  settle(parcoursId: string, change: Pick<ParcoursChange, 'events' | 'dataKey'>, stored: boolean): void {
    change.dataKey?.settle(stored);
    if (stored && change.events.some((event) => event.type === 'PersonalDataErased')) this.keys.forget(parcoursId);
  }

  /** The blind indexes follow the identity and whether the parcours is open; an erasure takes them, the key and the stored answers away. */
  private identityWrites(change: ParcoursChange): InlineWrite[] {
    const parcoursId = change.after.parcoursId;
    const open = change.after.status !== 'exited';
    // A new parcours: its entries, in one INSERT a batch shares (no per-stream update or delete).
    if (change.opening) return change.index ? [this.blindIndex.entriesWrite(parcoursId, change.index, open)] : [];
    const erased = change.events.find((event): event is Extract<ParcoursEvent, { type: 'PersonalDataErased' }> => event.type === 'PersonalDataErased');
    return [
      ...(erased ? [...this.keys.erasureFollowups(parcoursId, (erased.data as PersonalDataErasedData).legalGround), forgetIdempotentRequests(parcoursId), this.blindIndex.erasureFollowup(parcoursId)] : []),
      ...(change.index ? this.blindIndex.writeFollowups(parcoursId, change.index, open) : []),
      ...(change.events.some((event) => event.type === 'ParcoursExited' || event.type === 'ParcoursReopened') ? [this.blindIndex.openFollowup(parcoursId, open)] : []),
    ];
  }
}

/**
 * The stored answers of keyed requests about an erased parcours go with it: their request hash is
 * a digest of a body that held the identity or a note, which a dictionary could test guesses against.
 */
function forgetIdempotentRequests(parcoursId: string): DeleteWrite {
  return { kind: 'delete', table: 'idempotency_keys', match: [{ column: `body->>'parcoursId'`, type: 'text', value: parcoursId }] };
}
