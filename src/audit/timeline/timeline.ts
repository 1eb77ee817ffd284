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
import { isRole, type Role } from '../../access/roles.js';
import { TERRITORIES } from '../../partners/territories/territories.js';
import {
  isParcoursEventType,
  type ActionKind,
  type ActivityHoursAdjustmentReason,
  type EngagementContractSignedData,
  type ResumptionReason,
  type ActionStatus,
  type AgeBand,
  type AppointmentKind,
  type AppointmentOutcome,
  type BarrierKind,
  type BarrierLevel,
  type ContactChannel,
  type EmploymentContractEndReason,
  type EmploymentContractKind,
  type EngagementContractEndReason,
  type EngagementContractKind,
  type ErasureLegalGround,
  type ExitCategory,
  type ExitReason,
  type HouseholdRole,
  type OrientationReason,
  type ParcoursEvent,
  type ParcoursSource,
  type ParcoursType,
  type QualificationLevel,
  type RecentActivity,
  type ReferentReleaseReason,
  type ReopenReason,
  type ReorientationReason,
  type ReorientationRejectionReason,
  type StructureKind,
  type SuspensionReason,
  type IdentityField,
  type RsaRights,
  type ProcessingRestrictionGround,
  type ProcessingRight,
} from '../../parcours/domain/events.js';

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
    ? describe(record as ParcoursRecord, context)
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
    const { title, detail } = describe(event, context);
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

// ---------------------------------------------------------------------------------------------
// Labels

/** What labels need beyond one event: organisation names, and facts stated by earlier events. */
class LabelContext {
  private readonly engagementKinds = new Map<string, EngagementContractKind>();
  private readonly employmentKinds = new Map<string, EmploymentContractKind>();
  private readonly actionKinds = new Map<string, ActionKind>();
  private readonly referentOrdinals = new Map<string, number>();

  constructor(readonly names: ReadonlyMap<string, string>) {}

  /** Called in business order before any label is written, so that ordinals follow the history. */
  learn(event: ParcoursEvent): void {
    if (event.type === 'EngagementContractSigned') this.engagementKinds.set(event.data.contractId, event.data.kind);
    else if (event.type === 'EmploymentContractStarted') this.employmentKinds.set(event.data.contractId, event.data.kind);
    else if (event.type === 'ActionPrescribed') this.actionKinds.set(event.data.actionId, event.data.kind);
    else if (event.type === 'ReferentAssigned' && !this.referentOrdinals.has(event.data.referentUserId)) {
      this.referentOrdinals.set(event.data.referentUserId, this.referentOrdinals.size + 1);
    }
  }

  partner(partnerId: string): string {
    return this.names.get(partnerId) ?? partnerId;
  }

  referentOrdinal(referentUserId: string): number {
    return this.referentOrdinals.get(referentUserId) ?? 0;
  }

  referent(referentUserId: string, partnerId: string): string {
    const ordinal = this.referentOrdinals.get(referentUserId);
    return `${ordinal === undefined ? 'référent' : `référent n° ${ordinal}`}, ${this.partner(partnerId)}`;
  }

  engagementKind(contractId: string): string {
    return this.engagementKinds.get(contractId) ?? 'contrat';
  }

  employmentKind(contractId: string): string {
    const kind = this.employmentKinds.get(contractId);
    return kind === undefined ? 'contrat' : EMPLOYMENT_KIND_LABELS[kind];
  }

  actionKind(actionId: string): string {
    const kind = this.actionKinds.get(actionId);
    return kind === undefined ? 'action' : ACTION_KIND_LABELS[kind];
  }
}

interface Description {
  title: string;
  detail: string;
}

function describe(event: ParcoursEvent, context: LabelContext): Description {
  switch (event.type) {
    case 'ParcoursOpened': {
      const { householdRole, rsaSocle, ageBandAtEntry, source, territory } = event.data;
      return {
        title: 'Entrée dans le parcours',
        detail: [
          HOUSEHOLD_ROLE_LABELS[householdRole],
          rsaSocle ? 'bénéficiaire du RSA socle' : 'hors RSA socle',
          AGE_BAND_LABELS[ageBandAtEntry],
          `adressé par ${SOURCE_LABELS[source]}`,
          `territoire ${TERRITORY_NAMES.get(territory) ?? territory}`,
        ].join(', '),
      };
    }
    case 'DiagnosticRecorded': {
      const { barriers, recentActivity, qualificationLevel } = event.data;
      const strong = barriersAt(barriers, 'strong');
      const medium = barriersAt(barriers, 'medium');
      const found: string[] = [];
      if (strong.length > 0) found.push(`freins forts (${strong.join(', ')})`);
      if (medium.length > 0) found.push(`freins moyens (${medium.join(', ')})`);
      const barriersText = found.length === 0 ? 'aucun frein' : found.join(', ');
      return { title: 'Diagnostic', detail: `${barriersText} ; ${RECENT_ACTIVITY_LABELS[recentActivity]} ; ${QUALIFICATION_LABELS[qualificationLevel]}` };
    }
    case 'OrientationDecided': {
      const { parcoursType, organismeReferentId, reason, notifiedOn } = event.data;
      const notified = notifiedOn === null ? 'non encore notifiée' : `notifiée le ${frenchDate(notifiedOn)}`;
      return {
        title: 'Orientation décidée',
        detail: `parcours ${PARCOURS_TYPE_LABELS[parcoursType]}, organisme référent ${context.partner(organismeReferentId)}, ${notified} (${ORIENTATION_REASON_LABELS[reason]})`,
      };
    }
    case 'ReorientationRequested': {
      const { reason, proposedParcoursType } = event.data;
      const towards = proposedParcoursType === null ? '' : `, vers un parcours ${PARCOURS_TYPE_LABELS[proposedParcoursType]}`;
      return { title: 'Réorientation demandée', detail: `${REORIENTATION_REASON_LABELS[reason]}${towards}` };
    }
    case 'ReorientationDecided':
      return event.data.accepted
        ? {
            title: 'Réorientation acceptée',
            detail: `parcours ${PARCOURS_TYPE_LABELS[event.data.parcoursType]}, organisme référent ${context.partner(event.data.organismeReferentId)}`,
          }
        : { title: 'Réorientation refusée', detail: REJECTION_REASON_LABELS[event.data.rejectionReason] };
    case 'ReferentAssigned':
      return { title: 'Référent désigné', detail: context.referent(event.data.referentUserId, event.data.partnerId) };
    case 'ReferentReleased':
      return {
        title: 'Référent libéré',
        detail: `${context.referent(event.data.referentUserId, event.data.partnerId)} (${RELEASE_REASON_LABELS[event.data.reason]})`,
      };
    case 'FollowUpMemberJoined':
      return { title: 'Entrée dans le groupe de suivi', detail: context.partner(event.data.partnerId) };
    case 'FollowUpMemberLeft':
      return { title: 'Sortie du groupe de suivi', detail: context.partner(event.data.partnerId) };
    case 'AppointmentRecorded': {
      const { kind, outcome, partnerId } = event.data;
      return { title: 'Rendez-vous', detail: `${APPOINTMENT_KIND_LABELS[kind]}, ${APPOINTMENT_OUTCOME_LABELS[outcome]}, ${context.partner(partnerId)}` };
    }
    case 'ContactRecorded':
      return { title: 'Contact', detail: `${CONTACT_CHANNEL_LABELS[event.data.channel]}, ${context.partner(event.data.partnerId)}` };
    case 'EngagementContractSigned': {
      const { kind, startsOn, endsOn, weeklyActivityHours } = event.data;
      return {
        title: "Contrat d'engagement signé",
        detail: `${ENGAGEMENT_KIND_LABELS[kind]}, du ${frenchDate(startsOn)} au ${frenchDate(endsOn)}, ${frenchNumber(weeklyActivityHours)} h d'activité par semaine${adjustmentLabel(event.data.activityHoursAdjustment)}`,
      };
    }
    case 'EngagementContractEnded':
      return {
        title: "Contrat d'engagement terminé",
        detail: `${context.engagementKind(event.data.contractId)} (${ENGAGEMENT_END_REASON_LABELS[event.data.reason]})`,
      };
    case 'ActionPrescribed': {
      const { kind, providerPartnerId } = event.data;
      return {
        title: 'Action prescrite',
        detail: providerPartnerId === null ? ACTION_KIND_LABELS[kind] : `${ACTION_KIND_LABELS[kind]}, ${context.partner(providerPartnerId)}`,
      };
    }
    case 'ActionStatusChanged':
      return { title: 'Action mise à jour', detail: `${context.actionKind(event.data.actionId)}, ${ACTION_STATUS_LABELS[event.data.status]}` };
    case 'EmploymentContractStarted': {
      const { kind, structureKind, employerPartnerId, employerSiret, weeklyHours, startsOn, plannedEndOn } = event.data;
      const structure = structureKind === null || kind === 'CDI_EBE' ? '' : ` en ${STRUCTURE_KIND_LABELS[structureKind]}`;
      const employer = employerPartnerId !== null ? context.partner(employerPartnerId) : `employeur SIRET ${employerSiret ?? 'non renseigné'}`;
      const term = plannedEndOn === null ? `depuis le ${frenchDate(startsOn)}, sans terme prévu` : `du ${frenchDate(startsOn)} au ${frenchDate(plannedEndOn)} (prévu)`;
      return {
        title: 'Contrat de travail commencé',
        detail: `${EMPLOYMENT_KIND_LABELS[kind]}${structure}, ${employer}, ${frenchNumber(weeklyHours)} h par semaine, ${term}`,
      };
    }
    case 'EmploymentContractEnded':
      return {
        title: 'Contrat de travail terminé',
        detail: `${context.employmentKind(event.data.contractId)} (${EMPLOYMENT_END_REASON_LABELS[event.data.reason]})`,
      };
    case 'ParcoursSuspended': {
      const share = event.data.withheldShare;
      const withheld = share === null ? '' : `, ${frenchNumber(Math.round(share * 1000) / 10)} % de l'allocation suspendue`;
      const until = event.data.plannedEndOn === null ? '' : `, jusqu'au ${frenchDate(event.data.plannedEndOn)}`;
      return { title: 'Suspension-remobilisation', detail: `${SUSPENSION_REASON_LABELS[event.data.reason]}${withheld}${until}` };
    }
    case 'ParcoursResumed':
      return { title: 'Reprise du parcours', detail: event.data.reason === null ? '' : RESUMPTION_REASON_LABELS[event.data.reason] };
    case 'ParcoursExited':
      return {
        title: 'Sortie du parcours',
        detail: `${EXIT_CATEGORY_LABELS[event.data.category]} (${EXIT_REASON_LABELS[event.data.reason]})`,
      };
    case 'ParcoursReopened':
      return { title: 'Réouverture du parcours', detail: REOPEN_REASON_LABELS[event.data.reason] };
    case 'PersonalDataErased':
      return { title: 'Effacement des données personnelles', detail: ERASURE_GROUND_LABELS[event.data.legalGround] };
    case 'IdentityRectified':
      // Which fields, never their values: the timeline is read by auditors, not the DPO.
      return { title: "Rectification de l'identité", detail: event.data.fields.map((field) => IDENTITY_FIELD_LABELS[field]).join(', ') };
    case 'ParcoursArchived':
      return { title: 'Archivage intermédiaire', detail: `sans activité depuis le ${frenchDate(event.data.lastActivityOn)}` };
    case 'ProcessingRestricted':
      return { title: PROCESSING_RIGHT_LABELS[event.data.right], detail: RESTRICTION_GROUND_LABELS[event.data.ground] };
    case 'ProcessingRestrictionLifted':
      return { title: `Levée : ${PROCESSING_RIGHT_LABELS[event.data.right].toLowerCase()}`, detail: '' };
    case 'FranceTravailRegistered':
      return { title: 'Inscription à France Travail', detail: '' };
    case 'RsaRightsRecorded':
      return { title: 'Droits au RSA', detail: `${RSA_RIGHTS_LABELS[event.data.rights]} (flux ${event.data.source === 'msa' ? 'MSA' : 'CAF'})` };
    default:
      return assertNever(event);
  }
}

function barriersAt(barriers: Readonly<Record<BarrierKind, BarrierLevel>>, level: BarrierLevel): string[] {
  return (Object.keys(BARRIER_LABELS) as BarrierKind[]).filter((kind) => barriers[kind] === level).map((kind) => BARRIER_LABELS[kind]);
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// French formats and vocabularies. Records keyed by the domain unions: a value added to the
// catalogue without its label fails to compile.

/** `2026-02-10` → `10/02/2026`. */
export function frenchDate(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

const PARIS_DATE_TIME = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant as a Paris wall-clock time, `20/03/2026 19:00`; anything unparsable is returned as given. */
export function frenchDateTime(instant: string): string {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return instant;
  const parts = new Map(PARIS_DATE_TIME.formatToParts(at).map((part) => [part.type, part.value]));
  return `${parts.get('day')}/${parts.get('month')}/${parts.get('year')} ${parts.get('hour')}:${parts.get('minute')}`;
}

/** Up to two decimals with a decimal comma: 17.5 → "17,5". */
export function frenchNumber(value: number): string {
  return String(Math.round(value * 100) / 100).replace('.', ',');
}

export const ROLE_LABELS: Record<Role, string> = {
  referent: 'Référent',
  orientation_manager: "Chargé d'orientation",
  coordinator: 'Coordinateur SPIE',
  auditor: 'Auditeur',
  dpo: 'Délégué à la protection des données',
  partner_admin: 'Administrateur du partenaire',
  platform_admin: 'Administrateur de la plateforme',
};

/** The French name of a role; a role outside the list (old token, typo in data) is shown as stored. */
export function roleLabel(role: string | null): string {
  if (role === null) return '';
  return isRole(role) ? ROLE_LABELS[role] : role;
}

const ADJUSTMENT_REASON_LABELS: Record<ActivityHoursAdjustmentReason, string> = {
  health: 'santé',
  disability: 'handicap',
  single_parent_without_childcare: 'parent isolé sans solution de garde',
  caregiver: 'aidant',
  employed_part_time: 'emploi à temps partiel',
  in_training: 'en formation',
  other: 'autre motif',
};

const RESUMPTION_REASON_LABELS: Record<ResumptionReason, string> = {
  remobilised: 'remobilisation',
  term_reached: 'fin de la période de sanction',
  other: 'autre motif',
};

function adjustmentLabel(adjustment: EngagementContractSignedData['activityHoursAdjustment']): string {
  if (adjustment === null) return '';
  return ` (${adjustment.kind === 'exempted' ? 'dispense' : 'durée réduite'} : ${ADJUSTMENT_REASON_LABELS[adjustment.reason]})`;
}

export const RULE_TITLES: Record<RuleId, string> = {
  R1: "Entrée sans décision d'orientation",
  R2: "Orientation sans contrat d'engagement",
  R3: "Orientation sans premier rendez-vous d'accompagnement",
  R4: 'Parcours ouvert sans référent',
  R5: "Contrat d'engagement échu, non renouvelé",
  R6: 'Parcours social sans réexamen',
  R7: 'Demande de réorientation sans décision',
  R8: 'Fin de contrat de travail sans suite',
  R9: "Aucun contact pendant l'accompagnement",
  R10: 'Passation de référent interrompue',
  R11: "Contrat d'engagement sans heures d'activité",
};

const TERRITORY_NAMES = new Map(TERRITORIES.map((territory) => [territory.code, territory.name]));

const PARCOURS_TYPE_LABELS: Record<ParcoursType, string> = {
  emploi: 'emploi',
  socio_professionnel: 'socio-professionnel',
  social: 'social',
};

const HOUSEHOLD_ROLE_LABELS: Record<HouseholdRole, string> = { demandeur: 'demandeur', conjoint: 'conjoint' };

const AGE_BAND_LABELS: Record<AgeBand, string> = {
  under_26: 'moins de 26 ans',
  '26_to_49': '26 à 49 ans',
  '50_and_over': '50 ans et plus',
};

const SOURCE_LABELS: Record<ParcoursSource, string> = {
  caf: 'la CAF',
  msa: 'la MSA',
  france_travail: 'France Travail',
  departement: 'le Département',
  other: 'un autre organisme',
};

const BARRIER_LABELS: Record<BarrierKind, string> = {
  mobility: 'mobilité',
  family: 'famille',
  health: 'santé',
  literacy: 'savoirs de base',
  housing: 'logement',
  finances: 'finances',
  administrative: 'démarches administratives',
  digital: 'numérique',
  language: 'langue',
};

const RECENT_ACTIVITY_LABELS: Record<RecentActivity, string> = {
  employed: 'en emploi',
  job_seeker_under_12_months: "demandeur d'emploi depuis moins de 12 mois",
  job_seeker_12_to_24_months: "demandeur d'emploi depuis 12 à 24 mois",
  job_seeker_24_months_and_over: "demandeur d'emploi depuis 24 mois ou plus",
  in_training: 'en formation',
  inactive: 'inactif',
  never_worked: "n'a jamais travaillé",
};

const QUALIFICATION_LABELS: Record<QualificationLevel, string> = {
  infra_3: 'sans diplôme (infra niveau 3)',
  '3': 'CAP-BEP (niveau 3)',
  '4': 'baccalauréat (niveau 4)',
  '5': 'bac + 2 (niveau 5)',
  '6_plus': 'bac + 3 ou plus (niveau 6 et plus)',
};

const ORIENTATION_REASON_LABELS: Record<OrientationReason, string> = {
  diagnostic_outcome: 'selon le diagnostic',
  beneficiary_choice: 'au choix du bénéficiaire',
  default_orientation: 'orientation par défaut (France Travail)',
  multidisciplinary_team: 'après équipe pluridisciplinaire',
  other: 'autre motif',
};

const REORIENTATION_REASON_LABELS: Record<ReorientationReason, string> = {
  situation_changed: 'changement de situation',
  barriers_lifted: 'freins levés',
  new_barriers: 'nouveaux freins',
  beneficiary_request: 'demande du bénéficiaire',
  periodic_review: 'réexamen périodique',
  no_progress: 'absence de progression',
  other: 'autre motif',
};

const REJECTION_REASON_LABELS: Record<ReorientationRejectionReason, string> = {
  current_orientation_suitable: 'orientation actuelle adaptée',
  request_withdrawn: 'demande retirée',
  other: 'autre motif',
};

const RELEASE_REASON_LABELS: Record<ReferentReleaseReason, string> = {
  handover: 'passation',
  parcours_exited: 'sortie du parcours',
  referent_unavailable: 'référent indisponible',
  referent_left_organisation: "référent parti de l'organisation",
  beneficiary_request: 'demande du bénéficiaire',
  reorientation: 'réorientation',
  other: 'autre motif',
};

const APPOINTMENT_KIND_LABELS: Record<AppointmentKind, string> = {
  orientation: 'orientation',
  accompaniment: 'accompagnement',
  other: 'autre objet',
};

const APPOINTMENT_OUTCOME_LABELS: Record<AppointmentOutcome, string> = {
  seen: 'honoré',
  no_show: 'absence non excusée',
  excused: 'absence excusée',
  cancelled: 'annulé',
};

const CONTACT_CHANNEL_LABELS: Record<ContactChannel, string> = {
  in_person: 'en présentiel',
  phone: 'par téléphone',
  email: 'par courriel',
  sms: 'par SMS',
  letter: 'par courrier',
  video: 'en visioconférence',
};

const ENGAGEMENT_KIND_LABELS: Record<EngagementContractKind, string> = {
  CE: "CE (contrat d'engagement)",
  CER: "CER (contrat d'engagement réciproque)",
  PPAE: "PPAE (projet personnalisé d'accès à l'emploi)",
  CEJ: "CEJ (contrat d'engagement jeune)",
  PACEA: 'PACEA',
};

const ENGAGEMENT_END_REASON_LABELS: Record<EngagementContractEndReason, string> = {
  term_reached: 'terme atteint',
  replaced: 'remplacé',
  beneficiary_withdrawal: 'retrait du bénéficiaire',
  obligations_breached: 'manquement aux engagements',
  reorientation: 'réorientation',
  parcours_exited: 'sortie du parcours',
  other: 'autre motif',
};

const ACTION_KIND_LABELS: Record<ActionKind, string> = {
  training: 'formation',
  immersion_pmsmp: 'immersion (PMSMP)',
  mobility_aid: 'aide à la mobilité',
  childcare: "garde d'enfants",
  health: 'santé',
  housing: 'logement',
  digital: 'inclusion numérique',
  other: 'autre action',
};

const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  started: 'commencée',
  completed: 'terminée',
  abandoned: 'abandonnée',
  cancelled: 'annulée',
};

const EMPLOYMENT_KIND_LABELS: Record<EmploymentContractKind, string> = {
  PEC: 'PEC',
  CDDI: 'CDDI',
  CDI_EBE: 'CDI en EBE',
  CDI: 'CDI',
  CDD: 'CDD',
  INTERIM: 'Intérim',
  OTHER: 'Autre contrat',
};

const STRUCTURE_KIND_LABELS: Record<StructureKind, string> = {
  ACI: 'ACI',
  EI: 'EI',
  ETTI: 'ETTI',
  AI: 'AI',
  EBE: 'EBE',
  OTHER: 'autre structure',
};

const EMPLOYMENT_END_REASON_LABELS: Record<EmploymentContractEndReason, string> = {
  term_reached: 'terme atteint',
  early_termination: 'rupture anticipée',
  hired_permanent: 'embauche en CDI',
  resignation: 'démission',
  dismissal: 'licenciement',
  trial_period_not_confirmed: "période d'essai non concluante",
  other: 'autre motif',
};

const SUSPENSION_REASON_LABELS: Record<SuspensionReason, string> = {
  engagement_contract_refused: "refus du contrat d'engagement",
  engagement_contract_obligations_breached: "manquement aux engagements du contrat",
  appointment_missed: 'rendez-vous manqué',
  other: 'autre motif',
};

const EXIT_CATEGORY_LABELS: Record<ExitCategory, string> = {
  emploi_durable: 'emploi durable',
  emploi_transition: 'emploi de transition',
  sortie_positive: 'sortie positive',
  autre: 'autre sortie',
};

const EXIT_REASON_LABELS: Record<ExitReason, string> = {
  cdi: 'CDI',
  cdd_6_months_or_more: 'CDD de 6 mois ou plus',
  cdd_under_6_months: 'CDD de moins de 6 mois',
  interim: 'intérim',
  subsidised_contract: 'contrat aidé',
  business_creation: "création d'entreprise",
  civil_service: 'service civique',
  qualifying_training: 'formation qualifiante',
  other_siae_hire: 'embauche dans une autre SIAE',
  rsa_rights_closed: 'fin des droits au RSA',
  moved_out_of_territory: 'départ du territoire',
  retirement: 'retraite',
  no_longer_reachable: 'injoignable',
  other: 'autre motif',
};

const REOPEN_REASON_LABELS: Record<ReopenReason, string> = {
  rsa_rights_reopened: 'réouverture des droits au RSA',
  employment_ended: "fin de l'emploi",
  exit_recorded_in_error: 'sortie enregistrée par erreur',
  beneficiary_request: 'demande du bénéficiaire',
  other: 'autre motif',
};

const RSA_RIGHTS_LABELS: Record<RsaRights, string> = {
  socle: 'RSA socle',
  socle_majore: 'RSA socle majoré',
  non_socle: 'sans RSA socle',
};

const IDENTITY_FIELD_LABELS: Record<IdentityField, string> = {
  firstName: 'prénom',
  lastName: 'nom',
  birthDate: 'date de naissance',
  nir: 'NIR',
  allocataire: "numéro d'allocataire CAF/MSA",
  address: 'adresse',
  phone: 'téléphone',
  email: 'courriel',
};

const PROCESSING_RIGHT_LABELS: Record<ProcessingRight, string> = {
  restriction: 'Limitation du traitement',
  opposition: 'Opposition au traitement',
};

const RESTRICTION_GROUND_LABELS: Record<ProcessingRestrictionGround, string> = {
  accuracy_contested: 'exactitude des données contestée',
  unlawful_processing_erasure_opposed: "traitement illicite, effacement refusé par la personne",
  needed_for_legal_claims: "données nécessaires à l'exercice de droits en justice",
  objection_pending: "opposition en cours d'examen",
  particular_situation: 'situation particulière de la personne',
  other: 'autre motif',
};

const ERASURE_GROUND_LABELS: Record<ErasureLegalGround, string> = {
  retention_period_elapsed: 'durée de conservation écoulée',
  erasure_request_granted: "demande d'effacement accordée",
  recorded_in_error: 'enregistrement erroné',
  other: 'autre fondement',
};
