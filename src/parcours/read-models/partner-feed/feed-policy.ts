/**
 * The partner feed policy (DESIGN §7 `partner_feed`, §8): which event types each kind of partner
 * organisation receives, and which data fields of each. It is configuration, not code, so that the
 * Département can answer a CNIL or a partner's question by showing one versioned file, and change
 * it without a release.
 *
 * File format (`feed-policies/default-feed-policy.json`):
 *
 *   {
 *     "version": "…",                        // non-empty; recorded with what the feed delivered
 *     "description": "…",                    // optional
 *     "profiles": {                          // named allow-lists, shared by kinds with the same needs
 *       "accompaniment": {
 *         "description": "…",                // optional
 *         "events": {
 *           "DiagnosticRecorded": ["barriers.mobility", "recentActivity", …],      // these fields
 *           "AppointmentRecorded": { "fields": […], "scope": "concerning" },       // … only when about the partner
 *           …                                // a type not listed is not delivered
 *         }
 *       },
 *       …
 *     },
 *     "kinds": { "departement": "pilot", "caf": "benefits", … }   // every partner kind → a profile
 *   }
 *
 * - A field is a dotted path to a leaf of the event's data (`barriers.mobility`). A group
 *   (`barriers`) is refused: granting a group would deliver a barrier added to the catalogue later
 *   without anyone deciding it. A leaf is a value or, where the catalogue says so, a list of
 *   values (the `fields` named by an `IdentityRectified`), delivered whole.
 * - `scope: "concerning"` delivers an event to a partner only when the event names it (its own
 *   appointment, the contract it employs under, its own joining…); `"all"` (the default) delivers
 *   it to every follower of that kind.
 * - Every problem of a file is reported at once, so that one edit fixes a file.
 *
 * Some limits hold whatever the file says (checked at load, the file is refused otherwise): the
 * beneficiary's identity is never delivered; workplace kinds (SIAE, EBE, interim agencies,
 * employers) never receive the health, family, housing or finances barriers, and an employer no
 * diagnostic at all; every kind receives `PersonalDataErased`, with no data (RGPD art. 19: each
 * recipient is told of an erasure), and its own `FollowUpMemberJoined`/`FollowUpMemberLeft`, so
 * that its tool knows when the feed starts and stops. Likewise every kind receives the other rights
 * notices: `IdentityRectified` and `ProcessingRestricted`/`ProcessingRestrictionLifted` (art. 19
 * again: rectification and restriction are told to each recipient), the latter two with their
 * `right` but never their `ground` (why a person restricted or opposed the processing is none of a
 * partner's business), and `ParcoursArchived`, after which the parcours leaves the feeds.
 */
import type {
  EncryptedValue,
  ParcoursEvent,
  ParcoursEventType,
} from '../../domain/events.js';
import { IDENTITY_FIELDS, isParcoursEventType, PARCOURS_EVENT_TYPES } from '../../domain/events.js';
import { PARTNER_KINDS, type PartnerKind } from '../../../access/roles.js';
import defaultFeedPolicyFile from './feed-policies/default-feed-policy.json' with { type: 'json' };
import { readFileSync } from 'node:fs';
import type { AppConfig } from '../../../config/app-config.js';

// ---------------------------------------------------------------------------------------------
// The field catalogue: every data field of every event, and whether it may be delivered at all.

/**
 * `personal`: personal data or free text, never delivered to any partner, whatever a policy says.
 * `values`: a list of values (no objects inside), delivered whole or not at all.
 */
type FieldClass = 'value' | 'values' | 'personal';

type AllKeys<T> = T extends unknown ? keyof T : never;
type ValueAt<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;
type FieldSpec<V> = [NonNullable<V>] extends [EncryptedValue]
  ? 'personal'
  : [NonNullable<V>] extends [string | number | boolean]
    ? 'value' | 'personal'
    : [NonNullable<V>] extends [readonly (string | number | boolean)[]]
      ? 'values' | 'personal'
      : Catalogue<NonNullable<V>>;
/** Exactly the keys of the data (every branch of a union), so the compiler flags a field added to events.ts. */
type Catalogue<D> = { readonly [K in AllKeys<D> & string]-?: FieldSpec<ValueAt<D, K>> };
type DataOf<T extends ParcoursEventType> = Extract<ParcoursEvent, { type: T }>['data'];

const BARRIERS = {
  mobility: 'value',
  family: 'value',
  health: 'value',
  literacy: 'value',
  housing: 'value',
  finances: 'value',
  administrative: 'value',
  digital: 'value',
  language: 'value',
} as const;

const FIELD_CATALOGUE = {
  ParcoursOpened: {
    parcoursId: 'value',
    identity: 'personal',
    franceTravailRegisteredOn: 'value',
    householdRole: 'value',
    rsaSocle: 'value',
    entryOn: 'value',
    territory: 'value',
    source: 'value',
    ageBandAtEntry: 'value',
  },
  FranceTravailRegistered: { registeredOn: 'value' },
  DiagnosticRecorded: { barriers: BARRIERS, recentActivity: 'value', qualificationLevel: 'value', diagnosedOn: 'value' },
  OrientationDecided: { parcoursType: 'value', organismeReferentId: 'value', decidedBy: 'value', reason: 'value', decidedOn: 'value', notifiedOn: 'value' },
  ReorientationRequested: { requestedBy: 'value', reason: 'value', requestedOn: 'value', proposedParcoursType: 'value' },
  ReorientationDecided: {
    accepted: 'value',
    parcoursType: 'value',
    organismeReferentId: 'value',
    rejectionReason: 'value',
    decidedBy: 'value',
    decidedOn: 'value',
  },
  ReferentAssigned: { referentUserId: 'value', partnerId: 'value', assignedOn: 'value' },
  ReferentReleased: { referentUserId: 'value', partnerId: 'value', reason: 'value', releasedOn: 'value' },
  FollowUpMemberJoined: { partnerId: 'value', joinedOn: 'value' },
  FollowUpMemberLeft: { partnerId: 'value', leftOn: 'value' },
  AppointmentRecorded: { appointmentId: 'value', kind: 'value', scheduledOn: 'value', outcome: 'value', partnerId: 'value' },
  ContactRecorded: { contactId: 'value', channel: 'value', contactedOn: 'value', partnerId: 'value', note: 'personal' },
  EngagementContractSigned: { contractId: 'value', kind: 'value', signedOn: 'value', startsOn: 'value', endsOn: 'value', weeklyActivityHours: 'value', activityHoursAdjustment: { kind: 'value', reason: 'value' } },
  EngagementContractEnded: { contractId: 'value', endedOn: 'value', reason: 'value' },
  ActionPrescribed: { actionId: 'value', kind: 'value', prescribedOn: 'value', providerPartnerId: 'value' },
  ActionStatusChanged: { actionId: 'value', status: 'value', changedOn: 'value' },
  EmploymentContractStarted: {
    contractId: 'value',
    kind: 'value',
    employerPartnerId: 'value',
    employerSiret: 'value',
    structureKind: 'value',
    weeklyHours: 'value',
    startsOn: 'value',
    plannedEndOn: 'value',
    beneficiaryUnder26AtStart: 'value',
    rsaSocleAtStart: 'value',
  },
  EmploymentContractEnded: { contractId: 'value', endedOn: 'value', reason: 'value' },
  ParcoursSuspended: { reason: 'value', suspendedOn: 'value', withheldShare: 'value', plannedEndOn: 'value' },
  ParcoursResumed: { resumedOn: 'value', reason: 'value' },
  ParcoursExited: { category: 'value', reason: 'value', exitedOn: 'value' },
  ParcoursReopened: { reason: 'value', reopenedOn: 'value' },
  PersonalDataErased: { legalGround: 'value', erasedOn: 'value' },
  IdentityRectified: { identity: 'personal', fields: 'values', ageBandAtEntry: 'value', rectifiedOn: 'value' },
  ParcoursArchived: { archivedOn: 'value', lastActivityOn: 'value' },
  ProcessingRestricted: { right: 'value', ground: 'value', restrictedOn: 'value' },
  ProcessingRestrictionLifted: { right: 'value', liftedOn: 'value' },
  RsaRightsRecorded: { rights: 'value', rsaSocle: 'value', rightsOn: 'value', source: 'value' },
} as const satisfies { readonly [T in ParcoursEventType]: Catalogue<DataOf<T>> };

interface CatalogueNode {
  readonly [key: string]: FieldClass | CatalogueNode;
}

/** Leaf paths of each type's data, and the groups above them (refused in a policy, with a hint). */
const LEAVES = new Map<ParcoursEventType, ReadonlyMap<string, FieldClass>>();
const GROUPS = new Map<ParcoursEventType, ReadonlyMap<string, readonly string[]>>();
for (const type of PARCOURS_EVENT_TYPES) {
  const leaves = new Map<string, FieldClass>();
  const groups = new Map<string, string[]>();
  const walk = (node: CatalogueNode, prefix: string): string[] => {
    const below: string[] = [];
    for (const [key, spec] of Object.entries(node)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (typeof spec === 'string') {
        leaves.set(path, spec);
        below.push(path);
      } else {
        const inner = walk(spec, path);
        groups.set(path, inner);
        below.push(...inner);
      }
    }
    return below;
  };
  walk(FIELD_CATALOGUE[type], '');
  LEAVES.set(type, leaves);
  GROUPS.set(type, groups);
}

/** Whether a field of a type is a list of values (copied whole), rather than a single value. */
export function isListField(type: string, field: string): boolean {
  return isParcoursEventType(type) && LEAVES.get(type)?.get(field) === 'values';
}

/**
 * The values a list field may hold, where they form a closed set: a rectification names the
 * identity fields it corrected, never their values. A list holding anything else is not delivered.
 */
const CLOSED_LISTS: ReadonlyMap<string, readonly string[]> = new Map([['IdentityRectified fields', IDENTITY_FIELDS]]);

export function closedListValues(type: string, field: string): readonly string[] | undefined {
  return CLOSED_LISTS.get(`${type} ${field}`);
}

/**
 * Event types that name partners (`concernedPartners` in feed.ts says which), so that a
 * `"concerning"` scope can be honoured. On any other type it would deliver nothing: refused.
 */
export const PARTNER_NAMING_EVENT_TYPES: readonly ParcoursEventType[] = [
  'OrientationDecided',
  'ReorientationDecided',
  'ReferentAssigned',
  'ReferentReleased',
  'FollowUpMemberJoined',
  'FollowUpMemberLeft',
  'AppointmentRecorded',
  'ContactRecorded',
  'ActionPrescribed',
  'ActionStatusChanged',
  'EmploymentContractStarted',
  'EmploymentContractEnded',
];

// ---------------------------------------------------------------------------------------------
// The policy

export const FEED_SCOPES = ['all', 'concerning'] as const;
export type FeedScope = (typeof FEED_SCOPES)[number];

export interface EventAllowance {
  /** Dotted leaf paths of the event's data, in the file's order. */
  readonly fields: readonly string[];
  readonly scope: FeedScope;
}

export interface KindAllowance {
  /** The profile the file maps the kind to: quoted when explaining what a partner received. */
  readonly profile: string;
  /** Keyed by event type; read through `allowanceFor`. A type absent here is not delivered. */
  readonly events: Readonly<Partial<Record<ParcoursEventType, EventAllowance>>>;
}

export interface FeedPolicy {
  readonly version: string;
  readonly description: string | null;
  readonly kinds: Readonly<Record<PartnerKind, KindAllowance>>;
}

/** What a kind receives of a type, or null when it does not receive it (unknown types included). */
export function allowanceFor(policy: FeedPolicy, kind: PartnerKind, type: string): EventAllowance | null {
  if (!isParcoursEventType(type)) return null;
  const events = policy.kinds[kind].events;
  return Object.hasOwn(events, type) ? (events[type] ?? null) : null;
}

// ---------------------------------------------------------------------------------------------
// Hard limits, which no policy file can lift

/** They hold (or may come to hold) an employment relationship with the beneficiary. */
export const WORKPLACE_KINDS: readonly PartnerKind[] = ['siae_aci', 'siae_ei', 'siae_etti', 'siae_ai', 'ebe', 'interim', 'employer'];

/**
 * Barriers that would expose the beneficiary to discrimination at work; health is moreover a
 * special category of data (RGPD art. 9).
 */
export const WORKPLACE_FORBIDDEN_FIELDS: readonly string[] = ['barriers.health', 'barriers.family', 'barriers.housing', 'barriers.finances'];

/** An employer is not an accompanying organisation: the diagnostic is none of its business. */
export const NO_DIAGNOSTIC_KINDS: readonly PartnerKind[] = ['employer'];

/**
 * The rights notices (DESIGN §8): a rectification, a restriction and its lifting (RGPD art. 19: each
 * recipient is told of them, as of an erasure), the archive (after which the parcours leaves the
 * feeds) and the erasure. Every kind receives them, and `deliver` (feed.ts) lets them through while
 * a restriction or an opposition holds back the other events.
 */
export const RIGHTS_NOTICE_TYPES = [
  'IdentityRectified',
  'ProcessingRestricted',
  'ProcessingRestrictionLifted',
  'ParcoursArchived',
  'PersonalDataErased',
] as const satisfies readonly ParcoursEventType[];

/** Why a person restricted or opposed the processing: not personal data as such, and still none of a partner's business. */
export const RESTRICTION_GROUND_FIELD = 'ground';

function hardLimitProblems(kind: PartnerKind, allowance: KindAllowance): string[] {
  const problems: string[] = [];
  const where = `kinds.${kind} (profile "${allowance.profile}")`;
  const events = allowance.events;
  const erased = events.PersonalDataErased;
  if (erased === undefined) problems.push(`${where} must receive PersonalDataErased: every recipient is told of an erasure`);
  else if (erased.fields.length > 0 || erased.scope !== 'all') problems.push(`${where} must receive PersonalDataErased as a bare fact: no fields, scope "all"`);
  for (const type of ['FollowUpMemberJoined', 'FollowUpMemberLeft'] as const) {
    const allowed = events[type];
    if (allowed === undefined || !allowed.fields.includes('partnerId')) {
      problems.push(`${where} must receive ${type} with its partnerId: a partner's tool learns from it that the feed starts or stops`);
    }
  }
  if (events.IdentityRectified === undefined) problems.push(`${where} must receive IdentityRectified: every recipient is told of a rectification (RGPD art. 19)`);
  for (const type of ['ProcessingRestricted', 'ProcessingRestrictionLifted'] as const) {
    const allowed = events[type];
    if (allowed === undefined || !allowed.fields.includes('right')) {
      problems.push(`${where} must receive ${type} with its right: every recipient is told of a restriction (RGPD art. 19), and its tool learns from it that the feed stops, narrows or resumes`);
    }
  }
  if (events.ProcessingRestricted?.fields.includes(RESTRICTION_GROUND_FIELD) === true) {
    problems.push(`${where} must not receive the ground of ProcessingRestricted: why a person restricted or opposed the processing is none of a partner's business`);
  }
  if (events.ParcoursArchived === undefined) problems.push(`${where} must receive ParcoursArchived: a partner's tool learns from it that the parcours leaves its feed`);
  const diagnostic = events.DiagnosticRecorded;
  if (diagnostic !== undefined && NO_DIAGNOSTIC_KINDS.includes(kind)) problems.push(`${where} must not receive DiagnosticRecorded: an employer gets no diagnostic`);
  if (diagnostic !== undefined && WORKPLACE_KINDS.includes(kind)) {
    const forbidden = diagnostic.fields.filter((field) => WORKPLACE_FORBIDDEN_FIELDS.includes(field));
    if (forbidden.length > 0) problems.push(`${where} must not receive ${forbidden.join(', ')} of DiagnosticRecorded: a workplace never learns these barriers`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Loading

export class InvalidFeedPolicyError extends Error {
  readonly code = 'invalid_feed_policy';

  constructor(readonly problems: readonly string[]) {
    super(`invalid partner feed policy (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
    this.name = 'InvalidFeedPolicyError';
  }
}

/**
 * Validates a policy document — parsed JSON, or the text of the file — and returns it resolved per
 * kind and frozen. Throws `InvalidFeedPolicyError` listing every problem found.
 */
export function parseFeedPolicy(json: unknown): FeedPolicy {
  const problems: string[] = [];
  let document = json;
  if (typeof json === 'string') {
    try {
      document = JSON.parse(json) as unknown;
    } catch (error) {
      throw new InvalidFeedPolicyError([`not JSON: ${error instanceof Error ? error.message : String(error)}`]);
    }
  }
  const root = asRecord(document);
  if (root === null) throw new InvalidFeedPolicyError(['the policy must be a JSON object']);
  unknownKeys(root, ['version', 'description', 'profiles', 'kinds'], 'policy', problems);

  const version = root.version;
  if (typeof version !== 'string' || version.trim() === '') problems.push('version must be a non-empty string');
  let description: string | null = null;
  if (typeof root.description === 'string') description = root.description;
  else if (root.description !== undefined && root.description !== null) problems.push('description must be a string');

  const profiles = parseProfiles(root.profiles, problems);
  const kinds = parseKinds(root.kinds, profiles, problems);

  if (problems.length > 0 || kinds === null || typeof version !== 'string') throw new InvalidFeedPolicyError(problems);
  return deepFreeze({ version, description, kinds });
}

type Events = Partial<Record<ParcoursEventType, EventAllowance>>;

/** Profiles by name; a profile with problems maps to null, so kinds using it are not re-checked. */
function parseProfiles(value: unknown, problems: string[]): Map<string, Events | null> {
  const profiles = new Map<string, Events | null>();
  const document = asRecord(value);
  if (document === null) {
    problems.push('profiles must be an object of named profiles');
    return profiles;
  }
  for (const name of Object.keys(document)) {
    const path = `profiles.${name}`;
    const before = problems.length;
    const profile = asRecord(document[name]);
    if (profile === null) {
      problems.push(`${path} must be an object with "events"`);
      profiles.set(name, null);
      continue;
    }
    unknownKeys(profile, ['description', 'events'], path, problems);
    if (profile.description !== undefined && profile.description !== null && typeof profile.description !== 'string') {
      problems.push(`${path}.description must be a string`);
    }
    const eventsDocument = asRecord(profile.events);
    const events: Events = {};
    if (eventsDocument === null) problems.push(`${path}.events must be an object keyed by event type`);
    else {
      for (const type of Object.keys(eventsDocument)) {
        if (!isParcoursEventType(type)) {
          problems.push(`${path}.events: unknown event type "${type}" (expected one of ${PARCOURS_EVENT_TYPES.join(', ')})`);
          continue;
        }
        const allowance = parseAllowance(type, eventsDocument[type], `${path}.events.${type}`, problems);
        if (allowance !== null) events[type] = allowance;
      }
    }
    profiles.set(name, problems.length === before ? events : null);
  }
  return profiles;
}

function parseAllowance(type: ParcoursEventType, value: unknown, path: string, problems: string[]): EventAllowance | null {
  let fieldsValue: unknown = value;
  let scope: FeedScope = 'all';
  if (!Array.isArray(value)) {
    const entry = asRecord(value);
    if (entry === null) {
      problems.push(`${path} must be a list of fields or { "fields": [...], "scope": "all" | "concerning" }`);
      return null;
    }
    unknownKeys(entry, ['fields', 'scope'], path, problems);
    fieldsValue = entry.fields;
    if (entry.scope !== undefined) {
      if (entry.scope === 'all' || entry.scope === 'concerning') scope = entry.scope;
      else problems.push(`${path}.scope must be "all" or "concerning"`);
    }
  }
  if (scope === 'concerning' && !PARTNER_NAMING_EVENT_TYPES.includes(type)) {
    problems.push(`${path}.scope "concerning" is impossible: ${type} names no partner (it would deliver nothing)`);
  }
  if (!Array.isArray(fieldsValue)) {
    problems.push(`${path}${Array.isArray(value) ? '' : '.fields'} must be a list of field paths`);
    return null;
  }
  const leaves = LEAVES.get(type) ?? new Map<string, FieldClass>();
  const groups = GROUPS.get(type) ?? new Map<string, readonly string[]>();
  const fields: string[] = [];
  for (const field of fieldsValue as unknown[]) {
    if (typeof field !== 'string') {
      problems.push(`${path}: ${JSON.stringify(field)} is not a field path`);
      continue;
    }
    const fieldClass = personalPrefix(leaves, field) ? 'personal' : leaves.get(field);
    if (fieldClass === 'personal') problems.push(`${path}: "${field}" is personal data and is never delivered to a partner`);
    else if (fieldClass === undefined) {
      const group = groups.get(field);
      problems.push(
        group !== undefined
          ? `${path}: "${field}" is a group: list the fields it may deliver (${group.join(', ')})`
          : `${path}: unknown field "${field}" of ${type} (known: ${[...leaves].filter(([, c]) => c !== 'personal').map(([p]) => p).join(', ')})`,
      );
    } else if (fields.includes(field)) problems.push(`${path}: "${field}" is listed twice`);
    else fields.push(field);
  }
  return { fields, scope };
}

/** `identity.ciphertext` is as personal as `identity`: refused with the same reason, not as an unknown field. */
function personalPrefix(leaves: ReadonlyMap<string, FieldClass>, field: string): boolean {
  const segments = field.split('.');
  return segments.some((_, index) => leaves.get(segments.slice(0, index + 1).join('.')) === 'personal');
}

function parseKinds(value: unknown, profiles: ReadonlyMap<string, Events | null>, problems: string[]): Record<PartnerKind, KindAllowance> | null {
  const document = asRecord(value);
  if (document === null) {
    problems.push('kinds must be an object mapping every partner kind to a profile');
    return null;
  }
  for (const key of Object.keys(document)) {
    if (!(PARTNER_KINDS as readonly string[]).includes(key)) problems.push(`kinds: unknown partner kind "${key}" (expected one of ${PARTNER_KINDS.join(', ')})`);
  }
  const kinds: Partial<Record<PartnerKind, KindAllowance>> = {};
  const used = new Set<string>();
  for (const kind of PARTNER_KINDS) {
    if (!Object.hasOwn(document, kind)) {
      // Explicit rather than silent: a kind added to the code must be given a profile on purpose.
      problems.push(`kinds.${kind} is missing: map it to a profile`);
      continue;
    }
    const profile = document[kind];
    if (typeof profile !== 'string' || !profiles.has(profile)) {
      problems.push(`kinds.${kind}: ${JSON.stringify(profile)} is not a profile of this file (profiles: ${[...profiles.keys()].join(', ')})`);
      continue;
    }
    used.add(profile);
    const events = profiles.get(profile);
    if (events === null || events === undefined) continue; // its problems are already listed
    const allowance: KindAllowance = { profile, events };
    problems.push(...hardLimitProblems(kind, allowance));
    kinds[kind] = allowance;
  }
  for (const name of profiles.keys()) {
    // An unused profile is most often a kind mapped to the wrong name.
    if (!used.has(name)) problems.push(`profiles.${name} is used by no kind`);
  }
  return PARTNER_KINDS.every((kind) => kinds[kind] !== undefined) ? (kinds as Record<PartnerKind, KindAllowance>) : null;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** A misspelt key would silently grant or withhold nothing: refuse it. */
function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${path}.${key} is not expected (expected ${allowed.join(', ')})`);
  }
}

/** Profiles are shared between kinds: freezing keeps one caller from changing what another kind receives. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The policy shipped with the project (`feed-policies/default-feed-policy.json`). */
export const DEFAULT_FEED_POLICY: FeedPolicy = parseFeedPolicy(defaultFeedPolicyFile);

/** The feed policy in force: the shipped default, or the file FEED_POLICY_FILE names (checked at boot). */
export function feedPolicyOf(config: Pick<AppConfig, 'feedPolicyFile'>): FeedPolicy {
  return config.feedPolicyFile ? parseFeedPolicy(readFileSync(config.feedPolicyFile, 'utf8')) : DEFAULT_FEED_POLICY;
}
