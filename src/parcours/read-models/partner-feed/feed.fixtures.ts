/**
 * Test support for the partner feed specs: fast-check arbitraries of parcours events — every type
 * of the v1 catalogue with valid data, then random extra fields injected into the data and into
 * its nested objects, as a newer writer or a bug upstream could leave them. Every ciphertext (an
 * identity, a contact's note) carries `IDENTITY_MARKER`, so that a leak of personal data shows.
 */
import fc from 'fast-check';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  AGE_BANDS,
  APPOINTMENT_KINDS,
  APPOINTMENT_OUTCOMES,
  BARRIER_KINDS,
  BARRIER_LEVELS,
  CONTACT_CHANNELS,
  EMPLOYMENT_CONTRACT_END_REASONS,
  EMPLOYMENT_CONTRACT_KINDS,
  ENGAGEMENT_CONTRACT_END_REASONS,
  ENGAGEMENT_CONTRACT_KINDS,
  ERASURE_LEGAL_GROUNDS,
  EXIT_CATEGORIES,
  EXIT_REASONS,
  HOUSEHOLD_ROLES,
  IDENTITY_FIELDS,
  ORIENTATION_REASONS,
  PARCOURS_SOURCES,
  PARCOURS_TYPES,
  PROCESSING_RESTRICTION_GROUNDS,
  PROCESSING_RIGHTS,
  REFERENT_RELEASE_REASONS,
  REOPEN_REASONS,
  REORIENTATION_REASONS,
  REORIENTATION_REJECTION_REASONS,
  STRUCTURE_KINDS,
  SUSPENSION_REASONS,
  RESUMPTION_REASONS,
  ACTIVITY_HOURS_ADJUSTMENT_KINDS,
  ACTIVITY_HOURS_ADJUSTMENT_REASONS,
  type Barriers,
  type ParcoursEvent,
} from '../../domain/events.js';

/** Every ciphertext (identity, note) starts with it, so that a leak shows in the serialised output. */
export const IDENTITY_MARKER = 'IDENTITY-CIPHERTEXT:';
/** Every injected extra value carries it: no part of it may ever reach a feed. */
export const EXTRA_MARKER = 'INJECTED-EXTRA:';

const id = fc.uuid();
const date = fc.date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const dateOrNull = fc.option(date, { nil: null });
const idOrNull = fc.option(id, { nil: null });
const hours = fc.integer({ min: 0, max: 48 });
const oneOf = <T>(values: readonly T[]) => fc.constantFrom(...values);
const ciphertext = fc.record({ ciphertext: fc.string().map((s) => `${IDENTITY_MARKER}${s}`) });

const barriers: fc.Arbitrary<Barriers> = fc.record(
  Object.fromEntries(BARRIER_KINDS.map((kind) => [kind, oneOf(BARRIER_LEVELS)])) as { [K in keyof Barriers]: fc.Arbitrary<Barriers[K]> },
);

export const validEvent: fc.Arbitrary<ParcoursEvent> = fc.oneof(
  fc.record({
    type: fc.constant('ParcoursOpened' as const),
    data: fc.record({
      parcoursId: id,
      identity: ciphertext,
      householdRole: oneOf(HOUSEHOLD_ROLES),
      rsaSocle: fc.boolean(),
      entryOn: date,
      territory: fc.stringMatching(/^\d{9}$/),
      source: oneOf(PARCOURS_SOURCES),
      ageBandAtEntry: oneOf(AGE_BANDS),
      franceTravailRegisteredOn: fc.option(date, { nil: null }),
    }),
  }),
  fc.record({ type: fc.constant('FranceTravailRegistered' as const), data: fc.record({ registeredOn: date }) }),
  fc.record({
    type: fc.constant('DiagnosticRecorded' as const),
    data: fc.record({ barriers, recentActivity: oneOf(['employed', 'inactive', 'never_worked'] as const), qualificationLevel: oneOf(['infra_3', '3', '6_plus'] as const), diagnosedOn: date }),
  }),
  fc.record({
    type: fc.constant('OrientationDecided' as const),
    data: fc.record({ parcoursType: oneOf(PARCOURS_TYPES), organismeReferentId: id, decidedBy: id, reason: oneOf(ORIENTATION_REASONS), decidedOn: date, notifiedOn: dateOrNull }),
  }),
  fc.record({
    type: fc.constant('ReorientationRequested' as const),
    data: fc.record({ requestedBy: id, reason: oneOf(REORIENTATION_REASONS), requestedOn: date, proposedParcoursType: fc.option(oneOf(PARCOURS_TYPES), { nil: null }) }),
  }),
  fc.record({
    type: fc.constant('ReorientationDecided' as const),
    data: fc.oneof(
      fc.record({ accepted: fc.constant(true as const), parcoursType: oneOf(PARCOURS_TYPES), organismeReferentId: id, decidedBy: id, decidedOn: date }),
      fc.record({ accepted: fc.constant(false as const), rejectionReason: oneOf(REORIENTATION_REJECTION_REASONS), decidedBy: id, decidedOn: date }),
    ),
  }),
  fc.record({ type: fc.constant('ReferentAssigned' as const), data: fc.record({ referentUserId: id, partnerId: id, assignedOn: date }) }),
  fc.record({
    type: fc.constant('ReferentReleased' as const),
    data: fc.record({ referentUserId: id, partnerId: id, reason: oneOf(REFERENT_RELEASE_REASONS), releasedOn: date }),
  }),
  fc.record({ type: fc.constant('FollowUpMemberJoined' as const), data: fc.record({ partnerId: id, joinedOn: date }) }),
  fc.record({ type: fc.constant('FollowUpMemberLeft' as const), data: fc.record({ partnerId: id, leftOn: date }) }),
  fc.record({
    type: fc.constant('AppointmentRecorded' as const),
    data: fc.record({ appointmentId: id, kind: oneOf(APPOINTMENT_KINDS), scheduledOn: date, outcome: oneOf(APPOINTMENT_OUTCOMES), partnerId: id }),
  }),
  fc.record({
    type: fc.constant('ContactRecorded' as const),
    data: fc.record({ contactId: id, channel: oneOf(CONTACT_CHANNELS), contactedOn: date, partnerId: id, note: fc.option(ciphertext, { nil: null, freq: 3 }) }),
  }),
  fc.record({
    type: fc.constant('EngagementContractSigned' as const),
    data: fc.record({ contractId: id, kind: oneOf(ENGAGEMENT_CONTRACT_KINDS), signedOn: date, startsOn: date, endsOn: date, weeklyActivityHours: hours, activityHoursAdjustment: fc.option(fc.record({ kind: oneOf(ACTIVITY_HOURS_ADJUSTMENT_KINDS), reason: oneOf(ACTIVITY_HOURS_ADJUSTMENT_REASONS) }), { nil: null }) }),
  }),
  fc.record({ type: fc.constant('EngagementContractEnded' as const), data: fc.record({ contractId: id, endedOn: date, reason: oneOf(ENGAGEMENT_CONTRACT_END_REASONS) }) }),
  fc.record({ type: fc.constant('ActionPrescribed' as const), data: fc.record({ actionId: id, kind: oneOf(ACTION_KINDS), prescribedOn: date, providerPartnerId: idOrNull }) }),
  fc.record({ type: fc.constant('ActionStatusChanged' as const), data: fc.record({ actionId: id, status: oneOf(ACTION_STATUSES), changedOn: date }) }),
  fc.record({
    type: fc.constant('EmploymentContractStarted' as const),
    data: fc.record({
      contractId: id,
      kind: oneOf(EMPLOYMENT_CONTRACT_KINDS),
      employerPartnerId: idOrNull,
      employerSiret: fc.option(fc.stringMatching(/^\d{14}$/), { nil: null }),
      structureKind: fc.option(oneOf(STRUCTURE_KINDS), { nil: null }),
      weeklyHours: hours,
      startsOn: date,
      plannedEndOn: dateOrNull,
      beneficiaryUnder26AtStart: fc.boolean(),
      rsaSocleAtStart: fc.boolean(),
    }),
  }),
  fc.record({ type: fc.constant('EmploymentContractEnded' as const), data: fc.record({ contractId: id, endedOn: date, reason: oneOf(EMPLOYMENT_CONTRACT_END_REASONS) }) }),
  fc.record({ type: fc.constant('ParcoursSuspended' as const), data: fc.record({ reason: oneOf(SUSPENSION_REASONS), suspendedOn: date, withheldShare: fc.option(fc.constantFrom(0.3, 0.5, 1), { nil: null }), plannedEndOn: fc.option(date, { nil: null }) }) }),
  fc.record({ type: fc.constant('ParcoursResumed' as const), data: fc.record({ resumedOn: date, reason: fc.option(oneOf(RESUMPTION_REASONS), { nil: null }) }) }),
  fc.record({ type: fc.constant('ParcoursExited' as const), data: fc.record({ category: oneOf(EXIT_CATEGORIES), reason: oneOf(EXIT_REASONS), exitedOn: date }) }),
  fc.record({ type: fc.constant('ParcoursReopened' as const), data: fc.record({ reason: oneOf(REOPEN_REASONS), reopenedOn: date }) }),
  fc.record({ type: fc.constant('PersonalDataErased' as const), data: fc.record({ legalGround: oneOf(ERASURE_LEGAL_GROUNDS), erasedOn: date }) }),
  fc.record({
    type: fc.constant('IdentityRectified' as const),
    data: fc.record({ identity: ciphertext, fields: fc.uniqueArray(oneOf(IDENTITY_FIELDS), { minLength: 1 }), ageBandAtEntry: oneOf(AGE_BANDS), rectifiedOn: date }),
  }),
  fc.record({ type: fc.constant('ParcoursArchived' as const), data: fc.record({ archivedOn: date, lastActivityOn: date }) }),
  fc.record({
    type: fc.constant('ProcessingRestricted' as const),
    data: fc.record({ right: oneOf(PROCESSING_RIGHTS), ground: oneOf(PROCESSING_RESTRICTION_GROUNDS), restrictedOn: date }),
  }),
  fc.record({ type: fc.constant('ProcessingRestrictionLifted' as const), data: fc.record({ right: oneOf(PROCESSING_RIGHTS), liftedOn: date }) }),
);

/** Extra fields: any key not already taken at that level, any JSON-ish value carrying the marker. */
function extras(taken: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const value = fc.oneof(
    fc.string().map((s) => `${EXTRA_MARKER}${s}`),
    fc.record({ note: fc.string().map((s) => `${EXTRA_MARKER}${s}`) }),
    fc.array(fc.string().map((s) => `${EXTRA_MARKER}${s}`), { minLength: 1, maxLength: 3 }),
  );
  return fc.dictionary(
    fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('note', 'freeText', 'comment', 'name', 'nir', 'identity', '__proto__', 'constructor')).filter((key) => !taken.includes(key)),
    value,
    { maxKeys: 4 },
  );
}

export interface InjectedEvent {
  type: ParcoursEvent['type'];
  data: Record<string, unknown>;
}

/** A valid event with extra fields at the top of its data and inside each nested object (lists of values are left as they are). */
export const eventWithExtraFields: fc.Arbitrary<InjectedEvent> = validEvent.chain((event) => {
  const data = event.data as unknown as Record<string, unknown>;
  const nested = Object.keys(data).filter((key) => typeof data[key] === 'object' && data[key] !== null && !Array.isArray(data[key]));
  return fc
    .record({
      top: extras(Object.keys(data)),
      inner: fc.tuple(...nested.map((key) => extras(Object.keys(data[key] as object)))),
    })
    .map(({ top, inner }): InjectedEvent => {
      // Extras first, then the real fields: an extra can never replace a field of the catalogue.
      const injected: Record<string, unknown> = { ...top, ...data };
      nested.forEach((key, index) => {
        injected[key] = { ...inner[index], ...(data[key] as object) };
      });
      return { type: event.type, data: injected };
    });
});

/** Hostile shapes: a known type with any data at all (objects where values belong, arrays, nulls). */
export const eventWithAnyData: fc.Arbitrary<{ type: string; data: unknown }> = fc.record({
  type: validEvent.map((event) => event.type),
  data: fc.oneof(
    fc.anything(),
    fc.dictionary(
      fc.constantFrom('identity', 'note', 'fields', 'barriers', 'partnerId', 'kind', 'reason', 'contractId', 'category', 'right', 'ground'),
      fc.oneof(
        fc.anything(),
        fc.record({ ciphertext: fc.constant(`${IDENTITY_MARKER}x`), health: fc.constant('strong') }),
        // A list where one is expected, with an object inside: never copied.
        fc.constant(['lastName', { ciphertext: `${IDENTITY_MARKER}x` }]),
      ),
    ),
  ),
});
