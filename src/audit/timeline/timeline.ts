/**
 * The audit timeline of one parcours: its history as an auditor reads it — what happened, on which
 * business date, recorded when, by which organisation and role, with each event's id and hash —
 * plus the periods to draw (phases, référents, contracts, suspensions, ruptures).
 *
 * Personal data. Only coded fields reach a label: the beneficiary's identity (ciphertext) and the
 * caseworkers' user ids never do, so the timeline can be shown to any auditor. A référent is named
 * by its rank in the parcours ("référent n° 2") and its organisation.
 *
 * Dates. Entries are ordered like the continuity rules read them (business date, then stream
 * version), not by `recordedAt`: a back-dated fact sits where it happened, flagged `backDated`.
 * A period's `start` and `end` are inclusive business dates. A period closed by a transition on
 * day D (a release, a resumption, the next phase) ends on D − 1, as a suspension counts its days
 * in the rules; a contract ends on its `endedOn`, which the catalogue defines as its last day.
 */
import type { RecordedEvent } from '../../event-store/event-store.js';
import { parisDate } from '../../kernel/clock.js';
import { addDays, daysBetween } from '../../kernel/calendar.js';
import type { Finding, FindingStatus, Severity } from '../../continuity/findings.js';
import { RULE_IDS, type RuleId } from '../../continuity/policy.js';
import { businessDateOf } from '../../continuity/parcours-history.js';
import {
  isParcoursEventType,
  type EmploymentContractEndReason,
  type EmploymentContractKind,
  type EngagementContractEndReason,
  type EngagementContractKind,
  type ParcoursEvent,
  type ParcoursType,
  type ReferentReleaseReason,
  type StructureKind,
  type SuspensionReason,
} from '../../parcours/domain/events.js';
import { frenchNumber } from '../../kernel/french.js';
import {
  EMPLOYMENT_KIND_LABELS,
  EXIT_CATEGORY_LABELS,
  LabelContext,
  PARCOURS_TYPE_LABELS,
  RULE_TITLES,
  SUSPENSION_REASON_LABELS,
  assertNever,
  describeEvent,
} from './timeline-labels.js';

// ---------------------------------------------------------------------------------------------
// The timeline

export interface TimelineActor {
  partnerId: string | null;
  /** Present when the caller knows the organisation's name. */
  partnerName?: string;
  role: string | null;
}

export interface TimelineEntry {
  /** Business date of the fact. */
  on: string;
  recordedAt: string;
  streamVersion: number;
  eventId: string;
  hash: string;
  type: string;
  /** The kind of fact, in French: "Orientation décidée". */
  title: string;
  /** What the event states, from coded fields only: "parcours emploi, organisme référent …". */
  detail: string;
  /** `title : detail`, the line an auditor reads. */
  label: string;
  actor: TimelineActor;
  /** Recorded (Paris calendar) more than one day after its business date. */
  backDated: boolean;
}

export interface TimelinePeriod {
  start: string;
  /** Last day covered; null while it still runs at the end of the history (drawn up to `span.end`). */
  end: string | null;
  /** Short French text drawn on the bar. */
  label: string;
  /** The events that opened and closed the period, in order (for a rupture, its evidence). */
  eventIds: string[];
}

export type PhaseKind = 'entry' | 'orientation' | 'accompaniment' | 'exited' | 'archived';

export interface PhasePeriod extends TimelinePeriod {
  phase: PhaseKind;
  parcoursType: ParcoursType | null;
}

/** Référents and contracts stop at an exit and, still held, start again at a reopening. */
export interface HeldPeriod extends TimelinePeriod {
  /** True when the exit of the parcours cut the period, not an event of its own. */
  cutByExit: boolean;
}

export interface ReferentPeriod extends HeldPeriod {
  /** Rank of the référent in this parcours (1 for the first one): a name-free way to tell them apart. */
  ordinal: number;
  partnerId: string;
  partnerName?: string;
  releaseReason: ReferentReleaseReason | null;
}

export interface EngagementContractPeriod extends HeldPeriod {
  contractId: string;
  kind: EngagementContractKind;
  /** The contract's stated last day (`endsOn`). */
  plannedEnd: string;
  endReason: EngagementContractEndReason | null;
}

export interface EmploymentContractPeriod extends HeldPeriod {
  contractId: string;
  kind: EmploymentContractKind;
  structureKind: StructureKind | null;
  weeklyHours: number;
  plannedEnd: string | null;
  endReason: EmploymentContractEndReason | null;
}

export interface SuspensionPeriod extends TimelinePeriod {
  reason: SuspensionReason;
}

export interface RupturePeriod extends TimelinePeriod {
  ruleId: RuleId;
  severity: Severity;
  status: FindingStatus;
  dueOn: string | null;
  /** Days at this severity, through the audit date while open. */
  durationDays: number;
  /** The stream versions of the evidence, in the order of `eventIds`: what the entries table shows. */
  streamVersions: number[];
}

export interface TimelineLanes {
  phases: PhasePeriod[];
  referents: ReferentPeriod[];
  engagementContracts: EngagementContractPeriod[];
  employmentContracts: EmploymentContractPeriod[];
  suspensions: SuspensionPeriod[];
  ruptures: RupturePeriod[];
}

export type MarkerGroup = 'decision' | 'followUp';
export type MarkerTone = 'normal' | 'alert' | 'muted';

/** A point event (diamond): the facts that are not the edge of a drawn period. */
export interface TimelineMarker {
  on: string;
  eventId: string;
  type: string;
  label: string;
  group: MarkerGroup;
  /** `alert` for a missed appointment or an abandoned action, `muted` for what did not take place. */
  tone: MarkerTone;
}

export interface Timeline {
  streamId: string | null;
  /** First and last day to draw; null for an empty history. */
  span: { start: string; end: string } | null;
  entries: TimelineEntry[];
  lanes: TimelineLanes;
  markers: TimelineMarker[];
}

export interface BuildTimelineOptions {
  /** Organisation names by partner id; an unknown id is shown as the id. */
  partnerNames?: ReadonlyMap<string, string>;
  /**
   * The audit date: the chart reaches at least this day, and periods still open are drawn up to
   * the chart's end. Without it, the chart ends on the latest date of the history and findings.
   */
  asOf?: string;
}

export function buildTimeline(events: readonly RecordedEvent[], findings: readonly Finding[], options: BuildTimelineOptions = {}): Timeline {
  const names = options.partnerNames ?? new Map<string, string>();
  const dated = events.map((record) => ({ record, on: businessDateOfRecord(record) }));
  dated.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.record.streamVersion - b.record.streamVersion));

  const context = new LabelContext(names);
  for (const { record } of dated) if (isParcoursEventType(record.type)) context.learn(record as ParcoursRecord);

  const entries = dated.map(({ record, on }) => entryOf(record, on, context));
  const lanes = lanesOf(dated, findings, context);
  const markers: TimelineMarker[] = [];
  for (const { record, on } of dated) {
    if (!isParcoursEventType(record.type)) continue;
    const marker = markerOf(record as ParcoursRecord, on, context);
    if (marker !== null) markers.push(marker);
  }
  return { streamId: events[0]?.streamId ?? null, span: spanOf(entries, lanes, options.asOf), entries, lanes, markers };
}

type ParcoursRecord = ParcoursEvent & RecordedEvent;

function businessDateOfRecord(record: RecordedEvent): string {
  if (isParcoursEventType(record.type)) return businessDateOf(record as ParcoursRecord);
  // A type outside the catalogue still belongs in an audit of the stream: date it by the caller's word.
  return parisDate(new Date(record.metadata.occurredAt));
}

function entryOf(record: RecordedEvent, on: string, context: LabelContext): TimelineEntry {
  const { title, detail } = isParcoursEventType(record.type)
    ? describeEvent(record as ParcoursRecord, context)
    : { title: 'Événement hors catalogue', detail: record.type };
  const { partnerId, role } = record.metadata.actor;
  const actor: TimelineActor = { partnerId: partnerId ?? null, role: role ?? null };
  const partnerName = partnerId === undefined ? undefined : context.names.get(partnerId);
  if (partnerName !== undefined) actor.partnerName = partnerName;
  return {
    on,
    recordedAt: record.recordedAt,
    streamVersion: record.streamVersion,
    eventId: record.eventId,
    hash: record.hash,
    type: record.type,
    title,
    detail,
    label: detail === '' ? title : `${title} : ${detail}`,
    actor,
    backDated: daysBetween(on, parisDate(new Date(record.recordedAt))) > 1,
  };
}

function spanOf(entries: readonly TimelineEntry[], lanes: TimelineLanes, asOf: string | undefined): Timeline['span'] {
  const dates: string[] = entries.map((entry) => entry.on);
  for (const lane of Object.values(lanes) as TimelinePeriod[][]) {
    for (const period of lane) {
      dates.push(period.start);
      if (period.end !== null) dates.push(period.end);
    }
  }
  // An open rupture runs through the audit date the findings were evaluated at.
  for (const rupture of lanes.ruptures) if (rupture.end === null) dates.push(addDays(rupture.start, Math.max(0, rupture.durationDays - 1)));
  if (asOf !== undefined) dates.push(asOf);
  if (dates.length === 0) return null;
  let start = dates[0];
  let end = dates[0];
  for (const date of dates) {
    if (date < start) start = date;
    if (date > end) end = date;
  }
  return { start, end };
}

// ---------------------------------------------------------------------------------------------
// Lanes

/** The day before `day`, but never before `start`: a period opened and closed on one day still shows that day. */
function dayBefore(day: string, start: string): string {
  const previous = addDays(day, -1);
  return previous < start ? start : previous;
}

/**
 * Periods keyed by what they are about (a référent, a contract). An exit cuts the running ones and
 * keeps them as held: the decider releases the référent and ends the engagement contract at an
 * exit, but an employment contract runs on (a job outlives the parcours), so after a reopening
 * the contract is drawn again.
 */
class HeldLane<P extends HeldPeriod> {
  readonly periods: P[] = [];
  private readonly running = new Map<string, P>();
  private held = new Map<string, P>();

  start(key: string, period: P): void {
    // The same référent assigned again without a release: the new assignment takes over.
    const running = this.running.get(key);
    if (running !== undefined) {
      running.eventIds.push(period.eventIds[0]);
      this.close(key, () => dayBefore(period.start, running.start), {});
    }
    this.held.delete(key);
    this.running.set(key, period);
    this.periods.push(period);
  }

  /** Closes the running period of `key`; a key cut by an exit is forgotten instead (nothing to draw). */
  end(key: string, end: (period: P) => string, eventId: string, patch: Partial<P>): void {
    this.held.delete(key);
    const period = this.running.get(key);
    if (period === undefined) return;
    period.eventIds.push(eventId);
    this.close(key, end, patch);
  }

  /** Any running period whose key is not `key` (a second référent assigned without a release). */
  others(key: string): string[] {
    return [...this.running.keys()].filter((other) => other !== key);
  }

  cutAtExit(end: (period: P) => string, eventId: string): void {
    for (const [key, period] of this.running) {
      period.eventIds.push(eventId);
      period.end = end(period);
      period.cutByExit = true;
      this.held.set(key, period);
    }
    this.running.clear();
  }

  resumeAtReopening(on: string, eventId: string): void {
    for (const [key, period] of this.held) {
      const resumed: P = { ...period, start: on, end: null, eventIds: [eventId], cutByExit: false };
      this.running.set(key, resumed);
      this.periods.push(resumed);
    }
    this.held = new Map();
  }

  private close(key: string, end: (period: P) => string, patch: Partial<P>): void {
    const period = this.running.get(key);
    if (period === undefined) return;
    Object.assign(period, patch);
    period.end = end(period);
    this.running.delete(key);
  }
}

interface Dated {
  record: RecordedEvent;
  on: string;
}

/** One phase at a time; the parcours type is part of the phase (a reorientation starts a new one). */
class PhaseLane {
  readonly periods: PhasePeriod[] = [];
  parcoursType: ParcoursType | null = null;
  private current: PhasePeriod | null = null;
  private beforeExit: PhaseKind | null = null;

  get phase(): PhaseKind | null {
    return this.current?.phase ?? null;
  }

  enter(next: PhaseKind, on: string, eventId: string, exit: ParcoursRecord | null = null): void {
    const current = this.current;
    if (current !== null) {
      if (current.phase === next && current.parcoursType === this.parcoursType) return;
      if (next === 'exited') this.beforeExit = current.phase;
      current.eventIds.push(eventId);
      current.end = addDays(on, -1);
      // A phase left the day it began lasted no day: drop it rather than draw a day not spent in it.
      if (current.end < current.start) this.periods.pop();
    }
    this.current = { phase: next, parcoursType: this.parcoursType, start: on, end: null, label: phaseLabel(next, this.parcoursType, exit), eventIds: [eventId] };
    this.periods.push(this.current);
  }

  /**
   * Accompaniment begins with the first attended accompaniment appointment (the fact R3 waits
   * for), or with a contract, which is not signed without meeting the beneficiary.
   */
  accompanimentStarts(on: string, eventId: string): void {
    if (this.phase === 'orientation') this.enter('accompaniment', on, eventId);
  }

  /** The orientation and the accompaniment survive an exit in the state: a reopened parcours resumes where it was. */
  reopen(on: string, eventId: string): void {
    this.enter(this.beforeExit ?? 'entry', on, eventId);
  }
}

function lanesOf(dated: readonly Dated[], findings: readonly Finding[], context: LabelContext): TimelineLanes {
  const phases = new PhaseLane();
  const referents = new HeldLane<ReferentPeriod>();
  const engagementContracts = new HeldLane<EngagementContractPeriod>();
  const employmentContracts = new HeldLane<EmploymentContractPeriod>();
  const suspensions: SuspensionPeriod[] = [];
  let suspension: SuspensionPeriod | null = null;
  const endSuspension = (on: string, id: string): void => {
    if (suspension === null) return;
    suspension.end = dayBefore(on, suspension.start);
    suspension.eventIds.push(id);
    suspension = null;
  };
  /** An exit or the archive: as in `evolve`, the suspension-remobilisation procedure ends too. */
  const endFollowUp = (on: string, id: string): void => {
    endSuspension(on, id);
    referents.cutAtExit((period) => dayBefore(on, period.start), id);
    // The last day is still a day of the contract: it ends on it, as an `endedOn` would.
    engagementContracts.cutAtExit(() => on, id);
    employmentContracts.cutAtExit(() => on, id);
  };

  for (const { record, on } of dated) {
    if (!isParcoursEventType(record.type)) continue;
    const event = record as ParcoursRecord;
    const id = event.eventId;
    switch (event.type) {
      case 'ParcoursOpened':
        phases.enter('entry', on, id);
        break;
      case 'OrientationDecided':
        phases.parcoursType = event.data.parcoursType;
        if (phases.phase === null || phases.phase === 'entry') phases.enter('orientation', on, id);
        break;
      case 'ReorientationDecided':
        // An accepted reorientation hands the parcours over: a new orientation phase until the new
        // organisme référent starts accompanying (the hand-off is where ruptures happen).
        if (event.data.accepted) {
          phases.parcoursType = event.data.parcoursType;
          if (phases.phase !== 'exited') phases.enter('orientation', on, id);
        }
        break;
      case 'AppointmentRecorded':
        if (event.data.kind === 'accompaniment' && event.data.outcome === 'seen') phases.accompanimentStarts(on, id);
        break;
      case 'ReferentAssigned': {
        const { referentUserId, partnerId } = event.data;
        const key = `${partnerId}/${referentUserId}`;
        // The decider releases before it assigns; an older stream may not have: the new one takes over.
        for (const other of referents.others(key)) referents.end(other, (period) => dayBefore(on, period.start), id, { releaseReason: null });
        const ordinal = context.referentOrdinal(referentUserId);
        const partnerName = context.names.get(partnerId);
        referents.start(key, {
          start: on,
          end: null,
          label: `Référent n° ${ordinal} · ${context.partner(partnerId)}`,
          eventIds: [id],
          cutByExit: false,
          ordinal,
          partnerId,
          ...(partnerName === undefined ? {} : { partnerName }),
          releaseReason: null,
        });
        break;
      }
      case 'ReferentReleased': {
        const key = `${event.data.partnerId}/${event.data.referentUserId}`;
        referents.end(key, (period) => dayBefore(on, period.start), id, { releaseReason: event.data.reason });
        break;
      }
      case 'EngagementContractSigned': {
        const { contractId, kind, startsOn, endsOn, weeklyActivityHours } = event.data;
        engagementContracts.start(contractId, {
          start: startsOn,
          end: null,
          label: `${kind} · ${frenchNumber(weeklyActivityHours)} h/sem.`,
          eventIds: [id],
          cutByExit: false,
          contractId,
          kind,
          plannedEnd: endsOn,
          endReason: null,
        });
        phases.accompanimentStarts(on, id);
        break;
      }
      case 'EngagementContractEnded':
        engagementContracts.end(event.data.contractId, () => event.data.endedOn, id, { endReason: event.data.reason });
        break;
      case 'EmploymentContractStarted': {
        const { contractId, kind, structureKind, weeklyHours, startsOn, plannedEndOn } = event.data;
        employmentContracts.start(contractId, {
          start: startsOn,
          end: null,
          label: [EMPLOYMENT_KIND_LABELS[kind], structureKind === null || kind === 'CDI_EBE' ? null : structureKind, `${frenchNumber(weeklyHours)} h/sem.`]
            .filter((part) => part !== null)
            .join(' · '),
          eventIds: [id],
          cutByExit: false,
          contractId,
          kind,
          structureKind,
          weeklyHours,
          plannedEnd: plannedEndOn,
          endReason: null,
        });
        phases.accompanimentStarts(on, id);
        break;
      }
      case 'EmploymentContractEnded':
        employmentContracts.end(event.data.contractId, () => event.data.endedOn, id, { endReason: event.data.reason });
        break;
      case 'ParcoursSuspended':
        if (suspension === null) {
          suspension = { start: on, end: null, label: `Suspension : ${SUSPENSION_REASON_LABELS[event.data.reason]}`, eventIds: [id], reason: event.data.reason };
          suspensions.push(suspension);
        }
        break;
      case 'ParcoursResumed':
        endSuspension(on, id);
        break;
      case 'ParcoursExited':
        endFollowUp(on, id);
        phases.enter('exited', on, id, event);
        break;
      case 'ParcoursArchived':
        // The intermediate archive ends the follow-up as an exit does (continuity's timeline stops
        // its clocks there too); nothing but the person's rights can be recorded after it.
        endFollowUp(on, id);
        phases.enter('archived', on, id);
        break;
      case 'ParcoursReopened':
        referents.resumeAtReopening(on, id);
        engagementContracts.resumeAtReopening(on, id);
        employmentContracts.resumeAtReopening(on, id);
        phases.reopen(on, id);
        break;
      case 'DiagnosticRecorded':
      case 'ReorientationRequested':
      case 'FollowUpMemberJoined':
      case 'FollowUpMemberLeft':
      case 'ContactRecorded':
      case 'ActionPrescribed':
      case 'ActionStatusChanged':
      case 'PersonalDataErased':
      case 'IdentityRectified':
      case 'ProcessingRestricted':
      case 'ProcessingRestrictionLifted':
      case 'FranceTravailRegistered':
      case 'RsaRightsRecorded':
        break;
      default:
        assertNever(event);
    }
  }

  return {
    phases: phases.periods,
    referents: byStart(referents.periods),
    engagementContracts: byStart(engagementContracts.periods),
    employmentContracts: byStart(employmentContracts.periods),
    suspensions,
    ruptures: rupturesOf(findings),
  };
}

function byStart<P extends TimelinePeriod>(periods: P[]): P[] {
  // Stable: periods starting on the same day keep the order of their events.
  return periods.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

function phaseLabel(phase: PhaseKind, parcoursType: ParcoursType | null, exit: ParcoursRecord | null): string {
  const type = parcoursType === null ? '' : ` : parcours ${PARCOURS_TYPE_LABELS[parcoursType]}`;
  switch (phase) {
    case 'entry':
      return "Entrée, en attente d'orientation";
    case 'orientation':
      return `Orientation${type}`;
    case 'accompaniment':
      return `Accompagnement${type}`;
    case 'exited':
      return exit?.type === 'ParcoursExited' ? `Sorti : ${EXIT_CATEGORY_LABELS[exit.data.category]}` : 'Sorti';
    case 'archived':
      return 'Archive intermédiaire';
    default:
      return assertNever(phase);
  }
}

const RULE_ORDER = new Map<RuleId, number>(RULE_IDS.map((ruleId, index) => [ruleId, index]));

function rupturesOf(findings: readonly Finding[]): RupturePeriod[] {
  const ruptures = findings.map(
    (finding): RupturePeriod => ({
      start: finding.observedOn,
      end: finding.endedOn,
      label: `${finding.ruleId} · ${RULE_TITLES[finding.ruleId]}`,
      eventIds: [...finding.evidence.eventIds],
      ruleId: finding.ruleId,
      severity: finding.severity,
      status: finding.status,
      dueOn: finding.dueOn,
      durationDays: finding.durationDays,
      streamVersions: [...finding.evidence.streamVersions],
    }),
  );
  return ruptures.sort(
    (a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : (RULE_ORDER.get(a.ruleId) ?? 0) - (RULE_ORDER.get(b.ruleId) ?? 0)),
  );
}

// ---------------------------------------------------------------------------------------------
// Markers

function markerOf(event: ParcoursRecord, on: string, context: LabelContext): TimelineMarker | null {
  const marker = (group: MarkerGroup, tone: MarkerTone = 'normal'): TimelineMarker => {
    const { title, detail } = describeEvent(event, context);
    return { on, eventId: event.eventId, type: event.type, label: detail === '' ? title : `${title} : ${detail}`, group, tone };
  };
  switch (event.type) {
    case 'DiagnosticRecorded':
    case 'OrientationDecided':
    case 'ReorientationRequested':
    case 'ReorientationDecided':
    case 'FollowUpMemberJoined':
    case 'FollowUpMemberLeft':
    case 'ParcoursExited':
    case 'ParcoursReopened':
    case 'PersonalDataErased':
    case 'IdentityRectified':
    case 'ParcoursArchived':
    case 'ProcessingRestricted':
    case 'ProcessingRestrictionLifted':
    case 'FranceTravailRegistered':
      return marker('decision');
    case 'AppointmentRecorded':
      return marker('followUp', event.data.outcome === 'no_show' ? 'alert' : event.data.outcome === 'seen' ? 'normal' : 'muted');
    case 'ContactRecorded':
    case 'ActionPrescribed':
      return marker('followUp');
    case 'ActionStatusChanged':
      return marker('followUp', event.data.status === 'abandoned' ? 'alert' : event.data.status === 'cancelled' ? 'muted' : 'normal');
    // The edges of the drawn periods: the bars already show them.
    case 'ParcoursOpened':
    case 'ReferentAssigned':
    case 'ReferentReleased':
    case 'EngagementContractSigned':
    case 'EngagementContractEnded':
    case 'EmploymentContractStarted':
    case 'EmploymentContractEnded':
    case 'ParcoursSuspended':
    case 'ParcoursResumed':
      return null;
    case 'RsaRightsRecorded':
      return marker('decision');
    default:
      return assertNever(event);
  }
}
