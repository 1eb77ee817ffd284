/**
 * The pure core of the per-partner feed (DESIGN §7 `partner_feed`): who receives an event of a
 * parcours, and what of it. The projection that stores the feed folds `FollowerState` per parcours
 * and appends what `deliver` returns; it never looks at the data itself.
 *
 * Who follows a parcours is the parcours rule of §8 (`src/access/parcours-rule.ts`), minus the
 * territory-wide roles, which are per user and read through the API: the members of the follow-up
 * group, the organisme référent (orientation, accepted reorientation) and the organisation that
 * employs the current référent.
 *
 * The person's rights then narrow who receives what (DESIGN §8, `rightfulRecipients`): a
 * restriction of processing (RGPD art. 18) holds back everything but the rights notices, an
 * opposition (art. 21) everything but the rights notices from the partners not in charge, and the
 * intermediate archive (R. 263-8 CASF) everything but the erasure.
 *
 * Events arrive as stored (`type` a string, `data` unknown): the feed reads them defensively and
 * never throws on data, so that one odd event cannot stop every partner's feed.
 */
import { PROCESSING_RIGHTS, type ParcoursEventType, type ProcessingRight } from '../../domain/events.js';
import type { PartnerKind } from '../../../access/roles.js';
import { allowanceFor, type FeedPolicy, RIGHTS_NOTICE_TYPES } from './feed-policy.js';
import { type FeedEvent, type MinimisedEvent, minimise } from './minimise.js';

// ---------------------------------------------------------------------------------------------
// Followers

/** What the feed keeps per parcours. Plain JSON: stored as is by the projection. */
export interface FollowerState {
  /** Partner ids, each once, in joining order. */
  followUpGroup: string[];
  organismeReferentId: string | null;
  /** The organisation employing the current référent. */
  referentPartnerId: string | null;
  /**
   * Partners that followed the parcours and no longer do. They receive nothing more, except
   * `PersonalDataErased`: RGPD art. 19 requires telling every recipient of the data of an erasure.
   */
  formerFollowers: string[];
  /** Contract id → employer partner, so that an `EmploymentContractEnded` is known to concern it. */
  employers: Record<string, string>;
  /** Action id → provider partner, likewise for `ActionStatusChanged`. */
  providers: Record<string, string>;
  /**
   * A restriction of processing is in force (RGPD art. 18): nothing is delivered about the parcours
   * but the rights notices. The three flags below are absent from a state stored by the projection's
   * schema version 1, which `readFollowerState` reads as false.
   */
  restriction: boolean;
  /** An opposition is granted (RGPD art. 21): only the organisations in charge receive more than the rights notices. */
  opposition: boolean;
  /** In the intermediate archive (R. 263-8 CASF): nothing more is delivered but the erasure. */
  archived: boolean;
}

export const NO_FOLLOWERS: FollowerState = Object.freeze({
  followUpGroup: [],
  organismeReferentId: null,
  referentPartnerId: null,
  formerFollowers: [],
  employers: {},
  providers: {},
  restriction: false,
  opposition: false,
  archived: false,
}) as FollowerState;

/** A state as the projection stored it, maybe before some keys existed: a missing key reads as in `NO_FOLLOWERS` (no right in force, not archived). */
export function readFollowerState(stored: Partial<FollowerState>): FollowerState {
  return { ...NO_FOLLOWERS, ...stored };
}

/** The partners following the parcours: follow-up group, then organisme référent, then the référent's organisation. */
export function followers(state: FollowerState): string[] {
  return unique([...state.followUpGroup, state.organismeReferentId, state.referentPartnerId]);
}

/** Never mutates `state`; an event that changes nothing returns it unchanged. */
export function evolveFollowers(state: FollowerState, event: FeedEvent): FollowerState {
  const next = rights(roles(state, event), event);
  if (next === state) return state;
  const before = followers(state);
  const after = followers(next);
  const leaving = before.filter((partnerId) => !after.includes(partnerId));
  const formerFollowers = unique([...state.formerFollowers, ...leaving]).filter((partnerId) => !after.includes(partnerId));
  return { ...next, formerFollowers };
}

function roles(state: FollowerState, event: FeedEvent): FollowerState {
  const data = event.data;
  switch (event.type) {
    case 'FollowUpMemberJoined': {
      const partnerId = text(data, 'partnerId');
      return partnerId === null || state.followUpGroup.includes(partnerId) ? state : { ...state, followUpGroup: [...state.followUpGroup, partnerId] };
    }
    case 'FollowUpMemberLeft': {
      const partnerId = text(data, 'partnerId');
      return partnerId === null || !state.followUpGroup.includes(partnerId)
        ? state
        : { ...state, followUpGroup: state.followUpGroup.filter((member) => member !== partnerId) };
    }
    case 'OrientationDecided': {
      const organismeReferentId = text(data, 'organismeReferentId');
      return organismeReferentId === null ? state : { ...state, organismeReferentId };
    }
    case 'ReorientationDecided': {
      const organismeReferentId = text(data, 'organismeReferentId');
      // A rejected request changes nothing: the organisme référent stays in charge.
      return field(data, 'accepted') !== true || organismeReferentId === null ? state : { ...state, organismeReferentId };
    }
    case 'ReferentAssigned': {
      const partnerId = text(data, 'partnerId');
      return partnerId === null ? state : { ...state, referentPartnerId: partnerId };
    }
    case 'ReferentReleased':
      // As in the domain's evolve: a release always ends the current référent's term.
      return state.referentPartnerId === null ? state : { ...state, referentPartnerId: null };
    case 'EmploymentContractStarted': {
      const contractId = text(data, 'contractId');
      const employer = text(data, 'employerPartnerId');
      return contractId === null || employer === null ? state : { ...state, employers: { ...state.employers, [contractId]: employer } };
    }
    case 'ActionPrescribed': {
      const actionId = text(data, 'actionId');
      const provider = text(data, 'providerPartnerId');
      return actionId === null || provider === null ? state : { ...state, providers: { ...state.providers, [actionId]: provider } };
    }
    default:
      // An exit changes no role: the group still sees the parcours (§8), and hears of a job ending
      // after the exit, of a reopening, of an erasure.
      return state;
  }
}

/** The person's rights in force and the archive; they change nobody's role. */
function rights(state: FollowerState, event: FeedEvent): FollowerState {
  switch (event.type) {
    case 'ProcessingRestricted':
    case 'ProcessingRestrictionLifted': {
      const right = text(event.data, 'right');
      const inForce = event.type === 'ProcessingRestricted';
      // A right this code does not know (a newer writer) changes nothing, like any data it cannot read.
      if (!isProcessingRight(right) || state[right] === inForce) return state;
      return { ...state, [right]: inForce };
    }
    case 'ParcoursArchived':
      // There is no way back from the archive: only the erasure follows it.
      return state.archived ? state : { ...state, archived: true };
    default:
      return state;
  }
}

/**
 * Who receives `event`, given the follower state before and after it: the followers at the time
 * of the event, where an event that changes who follows reaches both sides — a partner that
 * starts following receives the event that made it a follower (its own `FollowUpMemberJoined`, the
 * `OrientationDecided` or `ReferentAssigned` naming it) and what follows; a partner that stops
 * receives the event that ended it (its own `FollowUpMemberLeft`, the `ReferentReleased` of a
 * handover, the `ReorientationDecided` moving the parcours elsewhere) and nothing after, unless it
 * still follows in another role. `PersonalDataErased` also reaches former followers (RGPD art. 19).
 */
export function recipients(stateBefore: FollowerState, stateAfter: FollowerState, event: FeedEvent): string[] {
  const reached = unique([...followers(stateBefore), ...followers(stateAfter)]);
  return event.type === 'PersonalDataErased' ? unique([...reached, ...stateBefore.formerFollowers]) : reached;
}

export function isRightsNotice(type: string): boolean {
  return (RIGHTS_NOTICE_TYPES as readonly string[]).includes(type);
}

/**
 * The rows of an archived parcours that stay in the feeds: the archive notice, and the erasure that
 * may follow it. The others are purged when the parcours is archived (`deliver` says when).
 */
export const KEPT_AFTER_ARCHIVE: readonly ParcoursEventType[] = ['ParcoursArchived', 'PersonalDataErased'];

/**
 * The `recipients` of `event` that may receive it, given the person's rights and the archive:
 * - once the parcours is archived, only the erasure reaches anyone (followers and former
 *   followers, as always), the archive notice being the last thing before it;
 * - otherwise the rights notices (`RIGHTS_NOTICE_TYPES`: rectification, restriction and its
 *   lifting, archive, erasure) reach every recipient, whatever right is in force;
 * - while a restriction is in force (RGPD art. 18: the data are kept, no longer processed nor
 *   shared), nobody receives anything else;
 * - while an opposition is in force (art. 21, granted: the record is shared only with the
 *   organisations in charge of the accompaniment), only the organisme référent and the référent's
 *   organisation receive the rest, those before and after the event (a reorientation or a handover
 *   reaches the organisation that leaves and the one that takes over, as in `recipients`).
 */
export function rightfulRecipients(stateBefore: FollowerState, stateAfter: FollowerState, event: FeedEvent): string[] {
  const reached = recipients(stateBefore, stateAfter, event);
  if (stateBefore.archived) return event.type === 'PersonalDataErased' ? reached : [];
  if (isRightsNotice(event.type)) return reached;
  // An ordinary event changes no right: before and after agree.
  if (stateBefore.restriction || stateAfter.restriction) return [];
  if (stateBefore.opposition || stateAfter.opposition) {
    const inCharge = unique([stateBefore.organismeReferentId, stateBefore.referentPartnerId, stateAfter.organismeReferentId, stateAfter.referentPartnerId]);
    return reached.filter((partnerId) => inCharge.includes(partnerId));
  }
  return reached;
}

/**
 * The partners an event names, for the `concerning` scope: the subject of a membership or référent
 * change, the organisme référent given (or taken away by a reorientation), the organisation holding
 * an appointment or a contact, the provider of an action, the employer of a contract. Read in the
 * state before the event, which knows who an ended contract or a changed action belongs to.
 */
export function concernedPartners(stateBefore: FollowerState, event: FeedEvent): string[] {
  const data = event.data;
  switch (event.type) {
    case 'FollowUpMemberJoined':
    case 'FollowUpMemberLeft':
    case 'ReferentAssigned':
    case 'ReferentReleased':
    case 'AppointmentRecorded':
    case 'ContactRecorded':
      return unique([text(data, 'partnerId')]);
    case 'OrientationDecided':
      return unique([text(data, 'organismeReferentId'), stateBefore.organismeReferentId]);
    case 'ReorientationDecided':
      return field(data, 'accepted') === true ? unique([text(data, 'organismeReferentId'), stateBefore.organismeReferentId]) : [];
    case 'ActionPrescribed':
      return unique([text(data, 'providerPartnerId')]);
    case 'ActionStatusChanged':
      return unique([entry(stateBefore.providers, text(data, 'actionId'))]);
    case 'EmploymentContractStarted':
      return unique([text(data, 'employerPartnerId')]);
    case 'EmploymentContractEnded':
      return unique([entry(stateBefore.employers, text(data, 'contractId'))]);
    default:
      return [];
  }
}

export interface FeedDelivery {
  partnerId: string;
  /** The policy's profile for the partner's kind, to explain later why it received what it did. */
  profile: string;
  event: MinimisedEvent;
}

export interface FeedStep {
  state: FollowerState;
  deliveries: FeedDelivery[];
  /**
   * The event moved the parcours to the intermediate archive: it leaves the feeds, so the rows they
   * already hold about it go, but those of the types `KEPT_AFTER_ARCHIVE`.
   */
  purge: boolean;
}

/**
 * One step of the feed: the follower state after `event`, what each recipient receives (who may,
 * `rightfulRecipients` says), and whether the parcours' rows leave the feeds. A partner whose kind is
 * unknown (`kindOf` returns null: deleted, not yet synchronised) receives nothing: the feed fails
 * closed.
 */
export function deliver(state: FollowerState, event: FeedEvent, kindOf: (partnerId: string) => PartnerKind | null, policy: FeedPolicy): FeedStep {
  const after = evolveFollowers(state, event);
  const deliveries: FeedDelivery[] = [];
  let concerned: string[] | null = null;
  for (const partnerId of rightfulRecipients(state, after, event)) {
    const kind = kindOf(partnerId);
    if (kind === null) continue;
    const allowance = allowanceFor(policy, kind, event.type);
    if (allowance === null) continue;
    if (allowance.scope === 'concerning') {
      concerned ??= concernedPartners(state, event);
      if (!concerned.includes(partnerId)) continue;
    }
    const minimised = minimise(event, kind, policy);
    if (minimised !== null) deliveries.push({ partnerId, profile: policy.kinds[kind].profile, event: minimised });
  }
  return { state: after, deliveries, purge: after.archived && !state.archived };
}

// ---------------------------------------------------------------------------------------------

function field(data: unknown, key: string): unknown {
  return typeof data === 'object' && data !== null && Object.hasOwn(data, key) ? (data as Record<string, unknown>)[key] : undefined;
}

function text(data: unknown, key: string): string | null {
  const value = field(data, key);
  return typeof value === 'string' && value !== '' ? value : null;
}

function isProcessingRight(value: string | null): value is ProcessingRight {
  return (PROCESSING_RIGHTS as readonly (string | null)[]).includes(value);
}

function entry(record: Readonly<Record<string, string>>, key: string | null): string | null {
  return key !== null && Object.hasOwn(record, key) ? record[key] : null;
}

function unique(ids: readonly (string | null)[]): string[] {
  const seen: string[] = [];
  for (const id of ids) if (id !== null && !seen.includes(id)) seen.push(id);
  return seen;
}
