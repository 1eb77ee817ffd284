import { isBusinessDate } from '../../kernel/business-date.js';
import {
  isParcoursEventType,
  type EmploymentContractKind,
  type EngagementContractKind,
  type ExitCategory,
  type ParcoursEvent,
  type ParcoursType,
  type ReopenReason,
} from '../../parcours/domain/events.js';
import { type DocumentProjection, type ProjectedEvent, parcoursIdOf } from '../../projections/projection.js';

/**
 * The `territory_indicators` read model (DESIGN §7): one document per parcours holding the dated
 * facts the territory report counts, and nothing else. The report (`territory-indicators.ts`) is a
 * pure function over these documents, computed at query time, so changing a definition (what
 * "open at month end" means, say) needs no rebuild; only a change of what is *kept* does.
 *
 * No personal data: the identity never enters the document, and `PersonalDataErased` only sets a
 * flag — the statistics of an erased parcours survive (DESIGN §8).
 *
 * Facts are kept by business date, not by recording order: caseworkers back-date, so every fact
 * carries its own date and the report places it in its month. Where a fact needs another to be
 * interpreted (an attended appointment counts only on or after the orientation), the reducer keeps
 * what it needs until it can decide, so that the document does not depend on the order in which
 * back-dated events were recorded.
 */

/** Dates are business dates `YYYY-MM-DD`. */
export interface OrientationFact {
  readonly decidedOn: string;
  readonly parcoursType: ParcoursType;
  readonly organismeReferentId: string;
}

/** One référent's time in charge; `releasedOn` is the day they stopped (null while in charge). */
export interface ReferentPeriod {
  readonly assignedOn: string;
  readonly releasedOn: string | null;
}

/** `endsOn` is the planned last day, `endedOn` the actual one once ended (both last days covered). */
export interface EngagementContractPeriod {
  readonly contractId: string;
  readonly kind: EngagementContractKind;
  readonly startsOn: string;
  readonly endsOn: string;
  readonly endedOn: string | null;
}

export interface EmploymentContractFact {
  readonly kind: EmploymentContractKind;
  readonly startsOn: string;
}

/** An exit and the reopening that undid it, if any: the parcours is closed from `exitedOn` to the day before `reopenedOn`. */
export interface ExitFact {
  readonly category: ExitCategory;
  readonly exitedOn: string;
  readonly reopenedOn: string | null;
  /** Kept because `exit_recorded_in_error` voids the exit in the report. */
  readonly reopenReason: ReopenReason | null;
}

export interface ParcoursFacts {
  readonly parcoursId: string;
  /** The EPCI code of ParcoursOpened; no event moves a parcours to another territory. */
  readonly territory: string;
  readonly entryOn: string;
  /** Current status in recording order; the report uses the dated exits, not this. */
  readonly status: 'open' | 'suspended' | 'exited';
  readonly personalDataErased: boolean;
  /** The first orientation decision; changes afterwards are in `reorientations`. */
  readonly orientation: OrientationFact | null;
  /** Accepted reorientations, in recording order (rejected ones change nothing). */
  readonly reorientations: readonly OrientationFact[];
  /** The earliest accompaniment appointment attended on or after `orientation.decidedOn`. */
  readonly firstAccompanimentOn: string | null;
  /**
   * Attended accompaniment dates recorded while no orientation was known, sorted and unique. Which
   * of them count depends on the orientation date (an orientation may be back-dated before them),
   * so they wait here and are cleared once the orientation arrives. Usually empty.
   */
  readonly accompanimentsSeenBeforeOrientation: readonly string[];
  readonly referentPeriods: readonly ReferentPeriod[];
  readonly engagementContracts: readonly EngagementContractPeriod[];
  readonly employmentContracts: readonly EmploymentContractFact[];
  readonly exits: readonly ExitFact[];
  /**
   * The day the parcours left the active base (R. 263-8 CASF, after two years without activity):
   * nobody follows it from then on, so it is no longer counted open, exited or not. Final.
   */
  readonly archivedOn: string | null;
  /** The stream version of the last event applied: a replayed event is recognised by it. */
  readonly lastVersion: number;
}

/** The event types the facts depend on; the runner does not even fetch the others. */
export const TERRITORY_INDICATORS_EVENT_TYPES = [
  'ParcoursOpened',
  'OrientationDecided',
  'ReorientationDecided',
  'ReferentAssigned',
  'ReferentReleased',
  'AppointmentRecorded',
  'EngagementContractSigned',
  'EngagementContractEnded',
  'EmploymentContractStarted',
  'ParcoursSuspended',
  'ParcoursResumed',
  'ParcoursExited',
  'ParcoursReopened',
  'ParcoursArchived',
  'PersonalDataErased',
] as const satisfies readonly ParcoursEvent['type'][];

type RelevantEvent = Extract<ParcoursEvent, { type: (typeof TERRITORY_INDICATORS_EVENT_TYPES)[number] }>;

const RELEVANT: ReadonlySet<string> = new Set(TERRITORY_INDICATORS_EVENT_TYPES);

/**
 * A stream no decider could have written (an event before ParcoursOpened, the release of a
 * référent nobody holds, a reopening without an exit, a date that is not a date…). The reducer
 * refuses to guess: the runner records the error with the event's position and goes on.
 */
export class MalformedParcoursEventError extends Error {
  readonly code = 'malformed_parcours_event';

  constructor(event: ProjectedEvent, reason: string) {
    super(`${event.type} v${event.streamVersion} of ${event.streamId}: ${reason}`);
    this.name = 'MalformedParcoursEventError';
  }
}

export const territoryIndicatorsProjection: DocumentProjection<ParcoursFacts> = {
  kind: 'document',
  name: 'territory_indicators',
  // 2: the archive date is kept (a rebuild fills it for parcours archived before).
  schemaVersion: 2,
  categories: ['parcours'],
  eventTypes: TERRITORY_INDICATORS_EVENT_TYPES,
  keyOf: parcoursIdOf,
  reduce: reduceParcoursFacts,
  // A report asked for one EPCI reads only its documents.
  indexes: [`CREATE INDEX IF NOT EXISTS {table}_territory ON {table} ((doc ->> 'territory'))`],
};

/**
 * The document after `event`. Pure and idempotent: an event whose stream version the document has
 * already seen (a batch redelivered after a crash, a replay) returns the document unchanged, so
 * the runner may apply any suffix of a stream again.
 */
export function reduceParcoursFacts(doc: ParcoursFacts | null, record: ProjectedEvent): ParcoursFacts {
  if (doc !== null && record.streamVersion <= doc.lastVersion) return doc;
  // The store has upcast `data` to the current schema; like `evolve`, the reducer trusts the
  // shape of a type it knows and checks only the dates it keeps, which the report does arithmetic on.
  if (!isParcoursEventType(record.type) || !RELEVANT.has(record.type)) {
    if (doc === null) throw new MalformedParcoursEventError(record, 'the parcours has no ParcoursOpened yet');
    return { ...doc, lastVersion: record.streamVersion };
  }
  const event = record as unknown as RelevantEvent;
  if (event.type === 'ParcoursOpened') {
    if (doc !== null) throw new MalformedParcoursEventError(record, `the parcours was already opened on ${doc.entryOn}`);
    const parcoursId = parcoursIdOf(record);
    if (parcoursId === null) throw new MalformedParcoursEventError(record, 'not a parcours stream');
    const territory: unknown = event.data.territory;
    if (typeof territory !== 'string' || territory === '') throw new MalformedParcoursEventError(record, 'no territory');
    return {
      parcoursId,
      territory,
      entryOn: date(record, event.data.entryOn, 'entryOn'),
      status: 'open',
      personalDataErased: false,
      orientation: null,
      reorientations: [],
      firstAccompanimentOn: null,
      accompanimentsSeenBeforeOrientation: [],
      referentPeriods: [],
      engagementContracts: [],
      employmentContracts: [],
      exits: [],
      archivedOn: null,
      lastVersion: record.streamVersion,
    };
  }
  if (doc === null) throw new MalformedParcoursEventError(record, 'the parcours has no ParcoursOpened yet');
  const next = { ...doc, lastVersion: record.streamVersion };

  switch (event.type) {
    case 'OrientationDecided': {
      if (doc.orientation !== null) throw new MalformedParcoursEventError(record, `the parcours was already oriented on ${doc.orientation.decidedOn}`);
      const decidedOn = date(record, event.data.decidedOn, 'decidedOn');
      const counted = doc.accompanimentsSeenBeforeOrientation.find((seenOn) => seenOn >= decidedOn) ?? null;
      return {
        ...next,
        orientation: { decidedOn, parcoursType: event.data.parcoursType, organismeReferentId: event.data.organismeReferentId },
        firstAccompanimentOn: counted,
        accompanimentsSeenBeforeOrientation: [],
      };
    }
    case 'ReorientationDecided': {
      if (!event.data.accepted) return next;
      const { parcoursType, organismeReferentId } = event.data;
      const decidedOn = date(record, event.data.decidedOn, 'decidedOn');
      return { ...next, reorientations: [...doc.reorientations, { decidedOn, parcoursType, organismeReferentId }] };
    }
    case 'ReferentAssigned': {
      // The decider writes a handover as a release then an assignment: an assignment over a
      // référent still in charge would leave two référents uniques.
      const open = openReferentPeriod(doc);
      if (open !== null) throw new MalformedParcoursEventError(record, `a référent is in charge since ${open.assignedOn}`);
      const assignedOn = date(record, event.data.assignedOn, 'assignedOn');
      return { ...next, referentPeriods: [...doc.referentPeriods, { assignedOn, releasedOn: null }] };
    }
    case 'ReferentReleased': {
      const open = openReferentPeriod(doc);
      if (open === null) throw new MalformedParcoursEventError(record, 'no référent is in charge');
      const releasedOn = date(record, event.data.releasedOn, 'releasedOn');
      return { ...next, referentPeriods: [...doc.referentPeriods.slice(0, -1), { ...open, releasedOn }] };
    }
    case 'AppointmentRecorded': {
      if (event.data.kind !== 'accompaniment' || event.data.outcome !== 'seen') return next;
      const seenOn = date(record, event.data.scheduledOn, 'scheduledOn');
      if (doc.orientation === null) {
        const waiting = doc.accompanimentsSeenBeforeOrientation;
        return waiting.includes(seenOn) ? next : { ...next, accompanimentsSeenBeforeOrientation: [...waiting, seenOn].sort() };
      }
      // An appointment dated before the orientation is part of the diagnostic, not its follow-up.
      if (seenOn < doc.orientation.decidedOn) return next;
      return doc.firstAccompanimentOn !== null && doc.firstAccompanimentOn <= seenOn ? next : { ...next, firstAccompanimentOn: seenOn };
    }
    case 'EngagementContractSigned': {
      const { contractId, kind } = event.data;
      if (doc.engagementContracts.some((contract) => contract.contractId === contractId)) {
        throw new MalformedParcoursEventError(record, `engagement contract ${contractId} was already signed`);
      }
      const startsOn = date(record, event.data.startsOn, 'startsOn');
      const endsOn = date(record, event.data.endsOn, 'endsOn');
      return { ...next, engagementContracts: [...doc.engagementContracts, { contractId, kind, startsOn, endsOn, endedOn: null }] };
    }
    case 'EngagementContractEnded': {
      const { contractId } = event.data;
      const index = doc.engagementContracts.findIndex((contract) => contract.contractId === contractId);
      const contract = doc.engagementContracts[index];
      if (contract === undefined) throw new MalformedParcoursEventError(record, `no engagement contract ${contractId}`);
      if (contract.endedOn !== null) throw new MalformedParcoursEventError(record, `engagement contract ${contractId} already ended on ${contract.endedOn}`);
      const endedOn = date(record, event.data.endedOn, 'endedOn');
      return { ...next, engagementContracts: doc.engagementContracts.with(index, { ...contract, endedOn }) };
    }
    case 'EmploymentContractStarted': {
      const startsOn = date(record, event.data.startsOn, 'startsOn');
      return { ...next, employmentContracts: [...doc.employmentContracts, { kind: event.data.kind, startsOn }] };
    }
    case 'ParcoursSuspended':
      return { ...next, status: 'suspended' };
    case 'ParcoursResumed':
      return { ...next, status: 'open' };
    case 'ParcoursExited': {
      const last = doc.exits.at(-1);
      if (last !== undefined && last.reopenedOn === null) throw new MalformedParcoursEventError(record, `the parcours already exited on ${last.exitedOn}`);
      const exitedOn = date(record, event.data.exitedOn, 'exitedOn');
      return { ...next, status: 'exited', exits: [...doc.exits, { category: event.data.category, exitedOn, reopenedOn: null, reopenReason: null }] };
    }
    case 'ParcoursReopened': {
      const last = doc.exits.at(-1);
      if (last === undefined || last.reopenedOn !== null) throw new MalformedParcoursEventError(record, 'the parcours has not exited');
      const reopenedOn = date(record, event.data.reopenedOn, 'reopenedOn');
      return { ...next, status: 'open', exits: doc.exits.with(-1, { ...last, reopenedOn, reopenReason: event.data.reason }) };
    }
    case 'ParcoursArchived':
      return { ...next, archivedOn: date(record, event.data.archivedOn, 'archivedOn') };
    case 'PersonalDataErased':
      return { ...next, personalDataErased: true };
  }
}

function openReferentPeriod(doc: ParcoursFacts): ReferentPeriod | null {
  const last = doc.referentPeriods.at(-1);
  return last !== undefined && last.releasedOn === null ? last : null;
}

/** A date the report will do arithmetic on: a malformed one would silently become NaN days. */
function date(record: ProjectedEvent, value: unknown, field: string): string {
  if (typeof value !== 'string' || !isBusinessDate(value)) {
    throw new MalformedParcoursEventError(record, `${field} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return value;
}
