import fc from 'fast-check';
import { callerOf } from '../../../access/caller.js';
import { parcoursFactsOf, reachesParcours } from '../../../access/parcours-rule.js';
import { PROCESSING_RESTRICTION_GROUNDS, PROCESSING_RIGHTS, type ParcoursEvent } from '../../domain/events.js';
import {
  ACI_JARDINS,
  actionPrescribed,
  actionStatusChanged,
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  aParcoursOrientedTowardsSocioProfessionnel40DaysAgo,
  appointmentRecorded,
  archived,
  CLAIRE_AT_CD,
  CONSEIL_DEPARTEMENTAL,
  contactRecorded,
  diagnosed,
  employmentContractEnded,
  employmentContractStarted,
  engagementContractSigned,
  exited,
  FRANCE_TRAVAIL_THIERS,
  identityRectified,
  joined,
  KARIM_AT_FRANCE_TRAVAIL,
  left,
  MISSION_LOCALE,
  opened,
  oriented,
  personalDataErased,
  processingRestricted,
  processingRestrictionLifted,
  referentAssigned,
  referentReleased,
  reopened,
  reorientationAccepted,
  reorientationRejected,
  reorientationRequested,
  resumed,
  suspended,
} from '../../domain/parcours.fixtures.js';
import { evolve, type ParcoursState } from '../../domain/state.js';
import { PARTNER_KINDS, type PartnerKind } from '../../../access/roles.js';
import { concernedPartners, deliver, evolveFollowers, followers, NO_FOLLOWERS, readFollowerState, recipients, rightfulRecipients, type FeedDelivery, type FollowerState } from './feed.js';
import { minimise, type FeedEvent } from './minimise.js';
import { DEFAULT_FEED_POLICY, PARTNER_NAMING_EVENT_TYPES } from './feed-policy.js';

const BOULANGERIE = '7b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';
const CAF = '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b';
const LUCIE_AT_MISSION_LOCALE = '1a2b3c4d-5e6f-4708-9192-a3b4c5d6e7f8';

const KINDS: Readonly<Record<string, PartnerKind>> = {
  [CONSEIL_DEPARTEMENTAL]: 'departement',
  [FRANCE_TRAVAIL_THIERS]: 'france_travail',
  [MISSION_LOCALE]: 'mission_locale',
  [ACI_JARDINS]: 'siae_aci',
  [BOULANGERIE]: 'employer',
  [CAF]: 'caf',
};
const kindOf = (partnerId: string): PartnerKind | null => (Object.hasOwn(KINDS, partnerId) ? KINDS[partnerId] : null);

type RecipientsOf = (stateBefore: FollowerState, stateAfter: FollowerState, event: FeedEvent) => string[];

/** Folds a stream and says, event by event, who `recipientsOf` reaches with it. */
function reachedAlong(recipientsOf: RecipientsOf, events: readonly FeedEvent[], from: FollowerState): { state: FollowerState; reached: { type: string; to: string[] }[] } {
  let state = from;
  const reached: { type: string; to: string[] }[] = [];
  for (const event of events) {
    const after = evolveFollowers(state, event);
    reached.push({ type: event.type, to: recipientsOf(state, after, event) });
    state = after;
  }
  return { state, reached };
}

/** Folds a stream and says, event by event, who receives it. */
const recipientsAlong = (events: readonly FeedEvent[], from: FollowerState = NO_FOLLOWERS) => reachedAlong(recipients, events, from);

function stateAfter(events: readonly FeedEvent[]): FollowerState {
  return recipientsAlong(events).state;
}

/** What each partner received of a stream, through the default policy. */
function deliveriesAlong(events: readonly FeedEvent[], from: FollowerState = NO_FOLLOWERS): FeedDelivery[][] {
  let state = from;
  return events.map((event) => {
    const step = deliver(state, event, kindOf, DEFAULT_FEED_POLICY);
    state = step.state;
    return step.deliveries;
  });
}

const receivedBy = (deliveries: FeedDelivery[], partnerId: string) => deliveries.filter((delivery) => delivery.partnerId === partnerId).map((delivery) => delivery.event);

describe('who follows a parcours', () => {
  it('nobody before the orientation: an opened, diagnosed parcours feeds no partner', () => {
    expect(recipientsAlong([opened(), diagnosed()]).reached).toEqual([
      { type: 'ParcoursOpened', to: [] },
      { type: 'DiagnosticRecorded', to: [] },
    ]);
  });

  it('the organisme référent from the orientation that names it, then the follow-up group and the référent’s organisation', () => {
    const { state, reached } = recipientsAlong(aParcoursFollowedByClaire);
    expect(reached.map(({ to }) => to)).toEqual([[], [], [CONSEIL_DEPARTEMENTAL], [CONSEIL_DEPARTEMENTAL], [CONSEIL_DEPARTEMENTAL]]);
    expect(state).toEqual({
      followUpGroup: [CONSEIL_DEPARTEMENTAL],
      organismeReferentId: CONSEIL_DEPARTEMENTAL,
      referentPartnerId: CONSEIL_DEPARTEMENTAL,
      formerFollowers: [],
      employers: {},
      providers: {},
      restriction: false,
      opposition: false,
      archived: false,
    });
  });
});

describe('recipients', () => {
  const followed = stateAfter(aParcoursFollowedByClaire);

  it('a partner joining receives its own FollowUpMemberJoined and what follows', () => {
    const { reached } = recipientsAlong([joined(MISSION_LOCALE, '2026-03-01'), contactRecorded()], followed);
    expect(reached).toEqual([
      { type: 'FollowUpMemberJoined', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] },
      { type: 'ContactRecorded', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] },
    ]);
  });

  it('a partner leaving receives its own FollowUpMemberLeft and nothing after', () => {
    const { reached, state } = recipientsAlong([joined(MISSION_LOCALE), left(MISSION_LOCALE, '2026-03-05'), contactRecorded(), suspended()], followed);
    expect(reached.map(({ to }) => to)).toEqual([
      [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE],
      [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE],
      [CONSEIL_DEPARTEMENTAL],
      [CONSEIL_DEPARTEMENTAL],
    ]);
    expect(state.formerFollowers).toEqual([MISSION_LOCALE]);
  });

  it('leaving the group does not stop the feed of a partner that still employs the référent', () => {
    // The decider refuses this order; the feed must still not depend on the decider for safety.
    const { reached } = recipientsAlong([joined(MISSION_LOCALE), referentAssigned(LUCIE_AT_MISSION_LOCALE, MISSION_LOCALE, '2026-03-01'), left(MISSION_LOCALE), contactRecorded()], followed);
    expect(reached.at(-1)).toEqual({ type: 'ContactRecorded', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] });
  });

  describe('a référent handover', () => {
    it('moves the feed from the old référent’s organisation to the new one', () => {
      // The Mission locale employed the référent without being in the group (a stream older than that rule).
      const before = stateAfter([...aParcoursOrientedTowardsSocioProfessionnel40DaysAgo, referentAssigned(LUCIE_AT_MISSION_LOCALE, MISSION_LOCALE)]);
      expect(followers(before)).toEqual([CONSEIL_DEPARTEMENTAL, MISSION_LOCALE]);
      const { reached } = recipientsAlong(
        [
          joined(FRANCE_TRAVAIL_THIERS, '2026-03-01'),
          referentReleased({ referentUserId: LUCIE_AT_MISSION_LOCALE, partnerId: MISSION_LOCALE, reason: 'handover', releasedOn: '2026-03-02' }),
          referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-03-02'),
          appointmentRecorded({ partnerId: FRANCE_TRAVAIL_THIERS }),
        ],
        before,
      );
      expect(reached).toEqual([
        { type: 'FollowUpMemberJoined', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE, FRANCE_TRAVAIL_THIERS] },
        // The old organisation learns the feed stops from its own référent's release…
        { type: 'ReferentReleased', to: [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS, MISSION_LOCALE] },
        // …and receives nothing after it.
        { type: 'ReferentAssigned', to: [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS] },
        { type: 'AppointmentRecorded', to: [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS] },
      ]);
    });

    it('leaves the feed of an old référent’s organisation that still follows otherwise', () => {
      const { reached } = recipientsAlong(
        [
          joined(FRANCE_TRAVAIL_THIERS, '2026-03-01'),
          referentReleased({ reason: 'handover', releasedOn: '2026-03-02' }),
          referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-03-02'),
          contactRecorded(),
        ],
        followed,
      );
      expect(reached.at(-1)).toEqual({ type: 'ContactRecorded', to: [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS] });
    });
  });

  describe('a reorientation to another organisme référent', () => {
    it('moves the feed to the new organisme référent, the old one receiving the decision that ends it', () => {
      // Oriented towards the Département, which never joined the group (no référent yet).
      const before = stateAfter([opened(), oriented()]);
      const { reached } = recipientsAlong(
        [reorientationRequested(), reorientationAccepted({ organismeReferentId: FRANCE_TRAVAIL_THIERS }), joined(FRANCE_TRAVAIL_THIERS, '2026-03-12'), contactRecorded()],
        before,
      );
      expect(reached).toEqual([
        { type: 'ReorientationRequested', to: [CONSEIL_DEPARTEMENTAL] },
        { type: 'ReorientationDecided', to: [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS] },
        { type: 'FollowUpMemberJoined', to: [FRANCE_TRAVAIL_THIERS] },
        { type: 'ContactRecorded', to: [FRANCE_TRAVAIL_THIERS] },
      ]);
    });

    it('keeps feeding the old organisme référent while it stays in the follow-up group', () => {
      const { reached } = recipientsAlong([reorientationRequested(), reorientationAccepted(), joined(FRANCE_TRAVAIL_THIERS, '2026-03-12'), contactRecorded()], followed);
      expect(reached.at(-1)).toEqual({ type: 'ContactRecorded', to: [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS] });
    });

    it('changes nothing when rejected', () => {
      const before = stateAfter([opened(), oriented()]);
      const { state, reached } = recipientsAlong([reorientationRequested(), reorientationRejected()], before);
      expect(state).toBe(before);
      expect(reached.at(-1)).toEqual({ type: 'ReorientationDecided', to: [CONSEIL_DEPARTEMENTAL] });
    });
  });

  describe('an exit', () => {
    it('reaches the followers with the référent’s release and the contract end, and does not stop the feed: a reopening reaches them too', () => {
      const withMissionLocale = [...aParcoursExitedOn15March.slice(0, -3), joined(MISSION_LOCALE, '2026-03-01'), ...aParcoursExitedOn15March.slice(-3)];
      const { reached } = recipientsAlong([...withMissionLocale, employmentContractStarted({ startsOn: '2026-03-16' }), reopened()]);
      expect(reached.slice(-5)).toEqual([
        { type: 'ReferentReleased', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] },
        { type: 'EngagementContractEnded', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] },
        { type: 'ParcoursExited', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] },
        { type: 'EmploymentContractStarted', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] },
        { type: 'ParcoursReopened', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] },
      ]);
    });

    it('reaches the released référent’s organisation with its release only, when it followed by that role alone', () => {
      const before = stateAfter([opened(), oriented(), joined(CONSEIL_DEPARTEMENTAL), referentAssigned(LUCIE_AT_MISSION_LOCALE, MISSION_LOCALE)]);
      const { reached } = recipientsAlong(
        [referentReleased({ referentUserId: LUCIE_AT_MISSION_LOCALE, partnerId: MISSION_LOCALE, reason: 'parcours_exited', releasedOn: '2026-03-15' }), exited(), reopened()],
        before,
      );
      expect(reached).toEqual([
        { type: 'ReferentReleased', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] },
        { type: 'ParcoursExited', to: [CONSEIL_DEPARTEMENTAL] },
        { type: 'ParcoursReopened', to: [CONSEIL_DEPARTEMENTAL] },
      ]);
    });
  });

  describe('an erasure', () => {
    it('also reaches the partners that followed and left (RGPD art. 19), and only the erasure does', () => {
      const { reached } = recipientsAlong([joined(MISSION_LOCALE), left(MISSION_LOCALE), resumed(), personalDataErased()], followed);
      expect(reached.slice(-2)).toEqual([
        { type: 'ParcoursResumed', to: [CONSEIL_DEPARTEMENTAL] },
        { type: 'PersonalDataErased', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE] },
      ]);
    });

    it('treats a partner that came back as a follower, not a former one', () => {
      const { state } = recipientsAlong([joined(MISSION_LOCALE), left(MISSION_LOCALE), joined(MISSION_LOCALE, '2026-03-10')], followed);
      expect(state.formerFollowers).toEqual([]);
      expect(followers(state)).toEqual([CONSEIL_DEPARTEMENTAL, MISSION_LOCALE]);
    });
  });
});

describe('evolveFollowers', () => {
  it('keeps a JSON-serialisable state: a stored state goes on exactly like the live one', () => {
    const stream: ParcoursEvent[] = [
      ...aParcoursFollowedByClaire,
      joined(ACI_JARDINS),
      employmentContractStarted(),
      actionPrescribed({ providerPartnerId: ACI_JARDINS }),
      joined(MISSION_LOCALE),
      left(MISSION_LOCALE),
    ];
    const live = stateAfter(stream);
    const stored = JSON.parse(JSON.stringify(live)) as FollowerState;
    expect(stored).toEqual(live);
    const rest = [employmentContractEnded(), actionStatusChanged(), personalDataErased()];
    expect(deliveriesAlong(rest, stored)).toEqual(deliveriesAlong(rest, live));
    expect(recipientsAlong(rest, stored).state).toEqual(recipientsAlong(rest, live).state);
  });

  it('never mutates the state it is given', () => {
    const before = stateAfter(aParcoursFollowedByClaire);
    const snapshot = structuredClone(before);
    evolveFollowers(before, joined(MISSION_LOCALE));
    evolveFollowers(before, employmentContractStarted());
    evolveFollowers(before, referentReleased());
    expect(before).toEqual(snapshot);
  });

  it('ignores data it cannot read instead of throwing: one odd event must not stop every feed', () => {
    const before = stateAfter(aParcoursFollowedByClaire);
    for (const data of [null, 'x', [], { partnerId: 42 }, { partnerId: '' }, { organismeReferentId: 7, contractId: 'c', employerPartnerId: {} }]) {
      for (const type of ['FollowUpMemberJoined', 'FollowUpMemberLeft', 'OrientationDecided', 'ReorientationDecided', 'ReferentAssigned', 'EmploymentContractStarted', 'ActionPrescribed']) {
        expect(evolveFollowers(before, { type, data })).toBe(before);
      }
    }
    // Only a decision stated as accepted moves the organisme référent.
    expect(evolveFollowers(before, { type: 'ReorientationDecided', data: { accepted: 'yes', organismeReferentId: MISSION_LOCALE } })).toBe(before);
    expect(evolveFollowers(before, { type: 'SomethingNew', data: { partnerId: MISSION_LOCALE } })).toBe(before);
  });
});

describe('deliver', () => {
  const followedWithEmployer = stateAfter([...aParcoursFollowedByClaire, joined(ACI_JARDINS), joined(BOULANGERIE)]);

  it('gives each recipient the event minimised for its kind, naming the profile applied', () => {
    const { deliveries } = deliver(followedWithEmployer, diagnosed(), kindOf, DEFAULT_FEED_POLICY);
    expect(deliveries.map(({ partnerId, profile }) => ({ partnerId, profile }))).toEqual([
      { partnerId: CONSEIL_DEPARTEMENTAL, profile: 'pilot' },
      { partnerId: ACI_JARDINS, profile: 'work_integration' },
    ]);
    expect(receivedBy(deliveries, CONSEIL_DEPARTEMENTAL)).toEqual([diagnosed()]);
    expect(receivedBy(deliveries, ACI_JARDINS)[0].data.barriers).toEqual({ mobility: 'strong', literacy: 'none', administrative: 'none', digital: 'strong', language: 'none' });
    expect(receivedBy(deliveries, BOULANGERIE)).toEqual([]);
  });

  it('gives an employer only the contracts it employs under, including their end', () => {
    const stream = [
      employmentContractStarted({ contractId: 'c-aci', employerPartnerId: ACI_JARDINS }),
      employmentContractStarted({ contractId: 'c-boulangerie', kind: 'CDD', employerPartnerId: BOULANGERIE, structureKind: null, weeklyHours: 35 }),
      employmentContractEnded({ contractId: 'c-aci' }),
      employmentContractEnded({ contractId: 'c-boulangerie', reason: 'hired_permanent' }),
    ];
    const received = deliveriesAlong(stream, followedWithEmployer).map((deliveries) => receivedBy(deliveries, BOULANGERIE));
    expect(received).toEqual([
      [],
      [
        {
          type: 'EmploymentContractStarted',
          data: { contractId: 'c-boulangerie', kind: 'CDD', employerPartnerId: BOULANGERIE, structureKind: null, weeklyHours: 35, startsOn: '2026-03-02', plannedEndOn: '2026-08-31' },
        },
      ],
      [],
      [{ type: 'EmploymentContractEnded', data: { contractId: 'c-boulangerie', endedOn: '2026-03-16', reason: 'hired_permanent' } }],
    ]);
    // The ACI, an SIAE, also sees only its own contract; the Département sees both.
    expect(deliveriesAlong(stream, followedWithEmployer).map((deliveries) => receivedBy(deliveries, ACI_JARDINS).length)).toEqual([1, 0, 1, 0]);
    expect(deliveriesAlong(stream, followedWithEmployer).map((deliveries) => receivedBy(deliveries, CONSEIL_DEPARTEMENTAL).length)).toEqual([1, 1, 1, 1]);
  });

  it('gives an employer its own joining and leaving, not the other members’', () => {
    const stream = [joined(MISSION_LOCALE), joined(CAF), left(BOULANGERIE, '2026-04-01'), contactRecorded()];
    const received = deliveriesAlong(stream, followedWithEmployer).map((deliveries) => receivedBy(deliveries, BOULANGERIE).map(({ type }) => type));
    expect(received).toEqual([[], [], ['FollowUpMemberLeft'], []]);
  });

  it('gives an employer the appointments it holds and the actions it provides only', () => {
    const stream = [
      appointmentRecorded({ appointmentId: 'rdv-cd' }),
      appointmentRecorded({ appointmentId: 'rdv-job', partnerId: BOULANGERIE }),
      actionPrescribed({ actionId: 'pmsmp', kind: 'immersion_pmsmp', providerPartnerId: BOULANGERIE }),
      actionPrescribed({ actionId: 'soins', kind: 'health', providerPartnerId: null }),
      actionStatusChanged({ actionId: 'pmsmp' }),
      actionStatusChanged({ actionId: 'soins' }),
      engagementContractSigned(),
    ];
    const received = deliveriesAlong(stream, followedWithEmployer).map((deliveries) => receivedBy(deliveries, BOULANGERIE).map(({ data }) => data.appointmentId ?? data.actionId));
    expect(received).toEqual([[], ['rdv-job'], ['pmsmp'], [], ['pmsmp'], [], []]);
  });

  it('gives the CAF the suspension, not the appointments', () => {
    const state = stateAfter([...aParcoursFollowedByClaire, joined(CAF)]);
    // The share withheld (décret 2025-478) is not in the CAF's default allowance: only the fields the policy lists.
    const { reason, suspendedOn } = suspended().data;
    expect(receivedBy(deliver(state, suspended(), kindOf, DEFAULT_FEED_POLICY).deliveries, CAF)).toEqual([{ type: 'ParcoursSuspended', data: { reason, suspendedOn } }]);
    expect(receivedBy(deliver(state, appointmentRecorded(), kindOf, DEFAULT_FEED_POLICY).deliveries, CAF)).toEqual([]);
  });

  it('gives a partner of unknown kind nothing: the feed fails closed', () => {
    const state = stateAfter([...aParcoursFollowedByClaire, joined('0f0f0f0f-0000-4000-8000-000000000000')]);
    expect(deliver(state, contactRecorded(), kindOf, DEFAULT_FEED_POLICY).deliveries.map(({ partnerId }) => partnerId)).toEqual([CONSEIL_DEPARTEMENTAL]);
  });

  it('tells every former recipient of an erasure, as a bare fact', () => {
    const state = stateAfter([...aParcoursFollowedByClaire, joined(BOULANGERIE), joined(CAF), left(BOULANGERIE), left(CAF)]);
    const { deliveries } = deliver(state, personalDataErased(), kindOf, DEFAULT_FEED_POLICY);
    expect(deliveries.map(({ partnerId, event }) => [partnerId, event])).toEqual([
      [CONSEIL_DEPARTEMENTAL, { type: 'PersonalDataErased', data: {} }],
      [BOULANGERIE, { type: 'PersonalDataErased', data: {} }],
      [CAF, { type: 'PersonalDataErased', data: {} }],
    ]);
  });
});

describe('concernedPartners', () => {
  const state = stateAfter([...aParcoursFollowedByClaire, employmentContractStarted(), actionPrescribed({ providerPartnerId: MISSION_LOCALE })]);
  const samples: Record<string, FeedEvent> = {
    OrientationDecided: oriented({ organismeReferentId: MISSION_LOCALE }),
    ReorientationDecided: reorientationAccepted(),
    ReferentAssigned: referentAssigned(CLAIRE_AT_CD),
    ReferentReleased: referentReleased(),
    FollowUpMemberJoined: joined(MISSION_LOCALE),
    FollowUpMemberLeft: left(MISSION_LOCALE),
    AppointmentRecorded: appointmentRecorded(),
    ContactRecorded: contactRecorded(),
    ActionPrescribed: actionPrescribed({ providerPartnerId: MISSION_LOCALE }),
    ActionStatusChanged: actionStatusChanged(),
    EmploymentContractStarted: employmentContractStarted(),
    EmploymentContractEnded: employmentContractEnded(),
  };

  it('names a partner for every type the policy may scope to "concerning"', () => {
    expect(Object.keys(samples).sort()).toEqual([...PARTNER_NAMING_EVENT_TYPES].sort());
    expect(Object.fromEntries(Object.entries(samples).map(([type, event]) => [type, concernedPartners(state, event)]))).toEqual({
      OrientationDecided: [MISSION_LOCALE, CONSEIL_DEPARTEMENTAL],
      ReorientationDecided: [FRANCE_TRAVAIL_THIERS, CONSEIL_DEPARTEMENTAL],
      ReferentAssigned: [CONSEIL_DEPARTEMENTAL],
      ReferentReleased: [CONSEIL_DEPARTEMENTAL],
      FollowUpMemberJoined: [MISSION_LOCALE],
      FollowUpMemberLeft: [MISSION_LOCALE],
      AppointmentRecorded: [CONSEIL_DEPARTEMENTAL],
      ContactRecorded: [CONSEIL_DEPARTEMENTAL],
      ActionPrescribed: [MISSION_LOCALE],
      ActionStatusChanged: [MISSION_LOCALE],
      EmploymentContractStarted: [ACI_JARDINS],
      EmploymentContractEnded: [ACI_JARDINS],
    });
  });

  it('names nobody for the other types, nor for a rejected reorientation or a contract of unknown employer', () => {
    for (const event of [opened(), diagnosed(), exited(), suspended(), personalDataErased(), reorientationRejected(), employmentContractEnded({ contractId: 'unknown' })]) {
      expect(concernedPartners(state, event)).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The feed follows exactly who may see the parcours (DESIGN §8), on any sequence of role changes.

const PARTNERS = [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS, MISSION_LOCALE, ACI_JARDINS];
const partner = fc.constantFrom(...PARTNERS);
const roleChange: fc.Arbitrary<ParcoursEvent> = fc.oneof(
  partner.map((partnerId) => joined(partnerId)),
  partner.map((partnerId) => left(partnerId)),
  partner.map((partnerId) => oriented({ organismeReferentId: partnerId })),
  partner.map((partnerId) => reorientationAccepted({ organismeReferentId: partnerId })),
  fc.constant(reorientationRejected()),
  partner.map((partnerId) => referentAssigned(CLAIRE_AT_CD, partnerId)),
  fc.constant(referentReleased()),
  fc.constant(contactRecorded()),
  fc.constant(exited()),
  fc.constant(reopened()),
  fc.constant(personalDataErased()),
);

/** The organisations whose caseworkers the parcours rule lets read a parcours (territory roles aside). */
function visibleTo(state: ParcoursState): string[] {
  return PARTNERS.filter((partnerId) => reachesParcours(callerOf({ partnerId, territories: [] }, ['referent']), 'read', parcoursFactsOf(state)));
}

describe('the follower state, on arbitrary role changes', () => {
  it('follows the same organisations as the domain’s visibility rule, and feeds each only while it follows', () => {
    fc.assert(
      fc.property(fc.array(roleChange, { maxLength: 30 }), (changes) => {
        let domain = evolve(null, opened());
        let feed = evolveFollowers(NO_FOLLOWERS, opened());
        const everFollowed = new Set<string>();
        for (const event of changes) {
          const nextDomain = evolve(domain, event);
          const nextFeed = evolveFollowers(feed, event);
          const reached = recipients(feed, nextFeed, event);
          expect([...followers(nextFeed)].sort()).toEqual(visibleTo(nextDomain).sort());
          for (const partnerId of PARTNERS) {
            const followsAround = visibleTo(domain).includes(partnerId) || visibleTo(nextDomain).includes(partnerId);
            const toldOfErasure = event.type === 'PersonalDataErased' && everFollowed.has(partnerId);
            expect({ partnerId, type: event.type, receives: reached.includes(partnerId) }).toEqual({ partnerId, type: event.type, receives: followsAround || toldOfErasure });
          }
          for (const partnerId of visibleTo(nextDomain)) everFollowed.add(partnerId);
          domain = nextDomain;
          feed = nextFeed;
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The person's rights (RGPD art. 18 and 21) and the intermediate archive (R. 263-8 CASF) narrow
// who receives what; they never change who follows.

/** Folds a stream and says, event by event, who may receive it once the rights in force are applied. */
const rightfullyAlong = (events: readonly FeedEvent[], from: FollowerState) => reachedAlong(rightfulRecipients, events, from);

const opposition = (data: { restrictedOn?: string } = {}) => processingRestricted({ right: 'opposition', ground: 'particular_situation', ...data });
const oppositionLifted = (liftedOn = '2026-03-12') => processingRestrictionLifted({ right: 'opposition', liftedOn });

describe('the rights in the follower state', () => {
  const followed = stateAfter(aParcoursFollowedByClaire);

  it('records a restriction and an opposition, each lifted on its own, without changing who follows', () => {
    const restricted = evolveFollowers(followed, processingRestricted());
    expect(restricted).toEqual({ ...followed, restriction: true });
    const both = evolveFollowers(restricted, opposition());
    expect(both).toEqual({ ...followed, restriction: true, opposition: true });
    expect(evolveFollowers(both, processingRestrictionLifted())).toEqual({ ...followed, opposition: true });
    expect(evolveFollowers(both, oppositionLifted())).toEqual({ ...followed, restriction: true });
  });

  it('returns the very same state for a right already in force, the lifting of a right not in force, or a right it cannot read', () => {
    const restricted = evolveFollowers(followed, processingRestricted());
    expect(evolveFollowers(restricted, processingRestricted({ restrictedOn: '2026-03-09' }))).toBe(restricted);
    expect(evolveFollowers(followed, processingRestrictionLifted())).toBe(followed);
    expect(evolveFollowers(followed, oppositionLifted())).toBe(followed);
    // A newer writer's right, or odd data: changes nothing rather than throwing.
    for (const data of [null, 'restriction', {}, { right: 'portability' }, { right: '' }, { right: 42 }, { right: ['restriction'] }]) {
      expect(evolveFollowers(followed, { type: 'ProcessingRestricted', data })).toBe(followed);
      expect(evolveFollowers(restricted, { type: 'ProcessingRestrictionLifted', data })).toBe(restricted);
    }
  });

  it('marks the archive, for good: a second archive notice changes nothing', () => {
    const archivedState = evolveFollowers(followed, archived());
    expect(archivedState).toEqual({ ...followed, archived: true });
    expect(evolveFollowers(archivedState, archived({ archivedOn: '2028-04-01' }))).toBe(archivedState);
  });

  it('takes a rectification as a notice only: no right, no follower changes', () => {
    expect(evolveFollowers(followed, identityRectified())).toBe(followed);
  });

  it('never mutates the state it is given', () => {
    const before = stateAfter(aParcoursFollowedByClaire);
    const snapshot = structuredClone(before);
    evolveFollowers(before, processingRestricted());
    evolveFollowers(before, opposition());
    evolveFollowers(before, archived());
    expect(before).toEqual(snapshot);
  });
});

describe('a restriction of processing (RGPD art. 18)', () => {
  // The Département (organisme référent, Claire's employer), the Mission locale and France Travail follow.
  const withGroup = stateAfter([...aParcoursFollowedByClaire, joined(MISSION_LOCALE), joined(FRANCE_TRAVAIL_THIERS)]);
  const everyone = [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE, FRANCE_TRAVAIL_THIERS];

  it('holds back every event but the rights notices while in force; its lifting restores delivery', () => {
    const { reached } = rightfullyAlong(
      [
        processingRestricted(),
        contactRecorded(),
        appointmentRecorded({ scheduledOn: '2026-03-06' }),
        suspended({ suspendedOn: '2026-03-07' }),
        identityRectified(),
        processingRestrictionLifted(),
        contactRecorded({ contactId: 'after-lifting', contactedOn: '2026-03-13' }),
      ],
      withGroup,
    );
    expect(reached).toEqual([
      { type: 'ProcessingRestricted', to: everyone },
      { type: 'ContactRecorded', to: [] },
      { type: 'AppointmentRecorded', to: [] },
      { type: 'ParcoursSuspended', to: [] },
      { type: 'IdentityRectified', to: everyone },
      { type: 'ProcessingRestrictionLifted', to: everyone },
      { type: 'ContactRecorded', to: everyone },
    ]);
  });

  it('delivers nothing through the policy either, and delivery comes back whole after the lifting', () => {
    const stream = [processingRestricted(), diagnosed(), processingRestrictionLifted(), diagnosed({ diagnosedOn: '2026-03-13' })];
    const received = deliveriesAlong(stream, withGroup).map((deliveries) => deliveries.map(({ partnerId, event }) => [partnerId, event.type]));
    expect(received).toEqual([
      everyone.map((partnerId) => [partnerId, 'ProcessingRestricted']),
      [],
      everyone.map((partnerId) => [partnerId, 'ProcessingRestrictionLifted']),
      everyone.map((partnerId) => [partnerId, 'DiagnosticRecorded']),
    ]);
  });

  it('keeps following the role changes it holds back: who joined meanwhile is fed after the lifting, who left is not', () => {
    const { reached } = rightfullyAlong([processingRestricted(), joined(ACI_JARDINS, '2026-03-06'), left(MISSION_LOCALE, '2026-03-07'), processingRestrictionLifted(), suspended()], withGroup);
    expect(reached.map(({ to }) => to)).toEqual([
      everyone,
      [],
      [],
      [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS, ACI_JARDINS],
      [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS, ACI_JARDINS],
    ]);
  });

  it('tells every follower, whatever its kind, the right and the date of a restriction and of its lifting, never the ground', () => {
    const allKinds = stateAfter([...aParcoursFollowedByClaire, joined(MISSION_LOCALE), joined(ACI_JARDINS), joined(BOULANGERIE), joined(CAF)]);
    for (const right of PROCESSING_RIGHTS) {
      for (const ground of PROCESSING_RESTRICTION_GROUNDS) {
        const { deliveries } = deliver(allKinds, processingRestricted({ right, ground }), kindOf, DEFAULT_FEED_POLICY);
        expect(deliveries.map(({ partnerId, event }) => [partnerId, event])).toEqual(
          [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE, ACI_JARDINS, BOULANGERIE, CAF].map((partnerId) => [
            partnerId,
            { type: 'ProcessingRestricted', data: { right, restrictedOn: '2026-03-05' } },
          ]),
        );
        expect(JSON.stringify(deliveries)).not.toContain(ground);
      }
      const lifted = deliver(evolveFollowers(allKinds, processingRestricted({ right })), processingRestrictionLifted({ right }), kindOf, DEFAULT_FEED_POLICY);
      expect(lifted.deliveries.map(({ event }) => event)).toEqual(Array(5).fill({ type: 'ProcessingRestrictionLifted', data: { right, liftedOn: '2026-03-12' } }));
    }
  });

  it('gives no partner kind the ground, under the default policy', () => {
    for (const kind of PARTNER_KINDS) {
      for (const ground of PROCESSING_RESTRICTION_GROUNDS) {
        const delivered = minimise(processingRestricted({ ground }), kind, DEFAULT_FEED_POLICY);
        expect(delivered).not.toBeNull();
        expect(delivered?.data).not.toHaveProperty('ground');
      }
    }
  });
});

describe('an opposition (RGPD art. 21)', () => {
  // Oriented towards the Département, which is not in the group; Lucie, at the Mission locale, is
  // the référent; France Travail and the CAF are members of the follow-up group only.
  const followedByLucie = stateAfter([
    opened(),
    oriented(),
    joined(MISSION_LOCALE),
    referentAssigned(LUCIE_AT_MISSION_LOCALE, MISSION_LOCALE),
    joined(FRANCE_TRAVAIL_THIERS),
    joined(CAF),
  ]);
  const everyone = [MISSION_LOCALE, FRANCE_TRAVAIL_THIERS, CAF, CONSEIL_DEPARTEMENTAL];
  const inCharge = [MISSION_LOCALE, CONSEIL_DEPARTEMENTAL];
  const opposed = evolveFollowers(followedByLucie, opposition());

  it('feeds the ordinary events to the organisme référent and the référent’s organisation only, the rights notices to every follower, until lifted', () => {
    expect(followers(followedByLucie)).toEqual(everyone);
    const { reached } = rightfullyAlong(
      [opposition(), contactRecorded({ partnerId: MISSION_LOCALE }), suspended({ suspendedOn: '2026-03-06' }), identityRectified(), oppositionLifted(), resumed()],
      followedByLucie,
    );
    expect(reached).toEqual([
      { type: 'ProcessingRestricted', to: everyone },
      { type: 'ContactRecorded', to: inCharge },
      { type: 'ParcoursSuspended', to: inCharge },
      { type: 'IdentityRectified', to: everyone },
      { type: 'ProcessingRestrictionLifted', to: everyone },
      { type: 'ParcoursResumed', to: everyone },
    ]);
  });

  it('delivers through the policy to those in charge only: the CAF does not get the suspension it would otherwise get', () => {
    const partnersOf = (state: FollowerState) => deliver(state, suspended(), kindOf, DEFAULT_FEED_POLICY).deliveries.map(({ partnerId }) => partnerId);
    expect(partnersOf(followedByLucie)).toEqual(everyone);
    expect(partnersOf(opposed)).toEqual(inCharge);
  });

  it('moves with the charge: the organisation leaving and the one taking over receive the handover and the reorientation, the others do not', () => {
    const { reached } = rightfullyAlong(
      [
        referentReleased({ referentUserId: LUCIE_AT_MISSION_LOCALE, partnerId: MISSION_LOCALE, reason: 'handover', releasedOn: '2026-03-10' }),
        referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-03-10'),
        reorientationRequested(),
        reorientationAccepted({ organismeReferentId: FRANCE_TRAVAIL_THIERS }),
        contactRecorded({ partnerId: FRANCE_TRAVAIL_THIERS, contactedOn: '2026-03-13' }),
      ],
      opposed,
    );
    expect(reached).toEqual([
      { type: 'ReferentReleased', to: [MISSION_LOCALE, CONSEIL_DEPARTEMENTAL] },
      { type: 'ReferentAssigned', to: [FRANCE_TRAVAIL_THIERS, CONSEIL_DEPARTEMENTAL] },
      { type: 'ReorientationRequested', to: [FRANCE_TRAVAIL_THIERS, CONSEIL_DEPARTEMENTAL] },
      // The Département, organisme référent until now, receives the decision that takes the charge away.
      { type: 'ReorientationDecided', to: [FRANCE_TRAVAIL_THIERS, CONSEIL_DEPARTEMENTAL] },
      // France Travail is now both; the Mission locale, still in the group, is no longer in charge.
      { type: 'ContactRecorded', to: [FRANCE_TRAVAIL_THIERS] },
    ]);
  });

  it('still tells former followers of an erasure (RGPD art. 19)', () => {
    const { reached } = rightfullyAlong([left(CAF), personalDataErased()], opposed);
    expect(reached).toEqual([
      // Leaving is an ordinary event: the CAF, not in charge, does not receive it.
      { type: 'FollowUpMemberLeft', to: inCharge },
      // The followers first, then the former ones.
      { type: 'PersonalDataErased', to: [MISSION_LOCALE, FRANCE_TRAVAIL_THIERS, CONSEIL_DEPARTEMENTAL, CAF] },
    ]);
  });

  it('yields to a restriction over it; lifting the restriction alone falls back to the opposition', () => {
    const { reached } = rightfullyAlong(
      [processingRestricted(), contactRecorded(), processingRestrictionLifted(), contactRecorded({ contactId: 'c2' }), oppositionLifted(), contactRecorded({ contactId: 'c3' })],
      opposed,
    );
    expect(reached.map(({ to }) => to)).toEqual([everyone, [], everyone, inCharge, everyone, everyone]);
  });
});

describe('the intermediate archive (R. 263-8 CASF)', () => {
  // The Département and the Mission locale follow; the CAF followed and left.
  const withFormerFollower = stateAfter([...aParcoursFollowedByClaire, joined(MISSION_LOCALE), joined(CAF), left(CAF)]);
  const current = [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE];

  it('delivers the archive notice to the followers, then nothing but the erasure, which also reaches the former followers', () => {
    const { reached } = rightfullyAlong(
      [archived(), contactRecorded(), identityRectified(), processingRestricted(), processingRestrictionLifted(), archived({ archivedOn: '2028-04-01' }), personalDataErased()],
      withFormerFollower,
    );
    expect(reached).toEqual([
      { type: 'ParcoursArchived', to: current },
      { type: 'ContactRecorded', to: [] },
      { type: 'IdentityRectified', to: [] },
      { type: 'ProcessingRestricted', to: [] },
      { type: 'ProcessingRestrictionLifted', to: [] },
      { type: 'ParcoursArchived', to: [] },
      { type: 'PersonalDataErased', to: [CONSEIL_DEPARTEMENTAL, MISSION_LOCALE, CAF] },
    ]);
  });

  it('reaches every follower even under a restriction or an opposition: it is how their tools learn the parcours leaves the feeds', () => {
    for (const right of [processingRestricted(), opposition()]) {
      const { reached } = rightfullyAlong([right, archived()], withFormerFollower);
      expect(reached.at(-1)).toEqual({ type: 'ParcoursArchived', to: current });
    }
  });

  it('asks for the purge on the step that archives, and on no other', () => {
    const stream = [contactRecorded(), processingRestricted(), archived(), processingRestrictionLifted(), archived({ archivedOn: '2028-04-01' }), personalDataErased()];
    let state = withFormerFollower;
    const purges = stream.map((event) => {
      const step = deliver(state, event, kindOf, DEFAULT_FEED_POLICY);
      state = step.state;
      return step.purge;
    });
    expect(purges).toEqual([false, false, true, false, false, false]);
  });

  it('delivers the archive date only, not the last activity that dates the retention', () => {
    const { deliveries, purge } = deliver(withFormerFollower, archived(), kindOf, DEFAULT_FEED_POLICY);
    expect(purge).toBe(true);
    expect(deliveries.map(({ partnerId, event }) => [partnerId, event])).toEqual(current.map((partnerId) => [partnerId, { type: 'ParcoursArchived', data: { archivedOn: '2028-03-03' } }]));
  });

  it('delivers the erasure after the archive as a bare fact, to the followers and the former ones', () => {
    const { deliveries, purge } = deliver(evolveFollowers(withFormerFollower, archived()), personalDataErased(), kindOf, DEFAULT_FEED_POLICY);
    expect(purge).toBe(false);
    expect(deliveries.map(({ partnerId, event }) => [partnerId, event])).toEqual([CONSEIL_DEPARTEMENTAL, MISSION_LOCALE, CAF].map((partnerId) => [partnerId, { type: 'PersonalDataErased', data: {} }]));
  });
});

describe('readFollowerState', () => {
  const live = stateAfter([...aParcoursFollowedByClaire, joined(MISSION_LOCALE), left(MISSION_LOCALE), employmentContractStarted(), actionPrescribed({ providerPartnerId: ACI_JARDINS })]);

  /** The state as schema version 1 of the projection stored it: no rights, no archive. */
  function storedBeforeTheRights(state: FollowerState): Partial<FollowerState> {
    const { restriction: _restriction, opposition: _opposition, archived: _archived, ...rest } = JSON.parse(JSON.stringify(state)) as FollowerState;
    return rest;
  }

  it('reads a state stored before the rights were kept as one with no right in force, not archived', () => {
    const stored = storedBeforeTheRights(live);
    expect(stored).not.toHaveProperty('restriction');
    expect(readFollowerState(stored)).toEqual(live);
    expect(readFollowerState(stored)).toEqual({ ...stored, restriction: false, opposition: false, archived: false });
  });

  it('lets an old stored state go on exactly like the live one, through a restriction, its lifting and the archive', () => {
    const rest = [contactRecorded(), processingRestricted(), contactRecorded({ contactId: 'c2' }), processingRestrictionLifted(), opposition(), contactRecorded({ contactId: 'c3' }), archived(), personalDataErased()];
    expect(deliveriesAlong(rest, readFollowerState(storedBeforeTheRights(live)))).toEqual(deliveriesAlong(rest, live));
  });

  it('keeps the rights and the archive a newer state stored', () => {
    const stored = JSON.parse(JSON.stringify({ ...live, restriction: true, opposition: true, archived: true })) as FollowerState;
    expect(readFollowerState(stored)).toEqual(stored);
    expect(deliver(readFollowerState(stored), contactRecorded(), kindOf, DEFAULT_FEED_POLICY).deliveries).toEqual([]);
  });

  it('reads an empty stored state as nobody following, and leaves the stored object as it was', () => {
    expect(readFollowerState({})).toEqual(NO_FOLLOWERS);
    const stored = storedBeforeTheRights(live);
    const snapshot = structuredClone(stored);
    readFollowerState(stored);
    expect(stored).toEqual(snapshot);
  });
});
