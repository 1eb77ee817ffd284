import type { ParcoursEvent, ParcoursEventType } from './events.js';
import {
  franceTravailRegistered,
  ACI_JARDINS,
  ACTION_ID,
  actionPrescribed,
  actionStatusChanged,
  anOpenParcours,
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  aParcoursOrientedTowardsSocioProfessionnel40DaysAgo,
  aParcoursSuspendedSince5March,
  aParcoursWithACddiRunning,
  aParcoursWithACerRunning,
  aParcoursWithAReorientationTowardsEmploiRequested,
  appointmentRecorded,
  CLAIRE_AT_CD,
  CONSEIL_DEPARTEMENTAL,
  contactRecorded,
  diagnosed,
  employmentContractEnded,
  employmentContractStarted,
  EMPLOYMENT_CONTRACT_ID,
  engagementContractEnded,
  engagementContractSigned,
  ENGAGEMENT_CONTRACT_ID,
  ENTRY_ON,
  EPCI,
  exited,
  FRANCE_TRAVAIL_THIERS,
  joined,
  KARIM_AT_FRANCE_TRAVAIL,
  left,
  MISSION_LOCALE,
  opened,
  oriented,
  PARCOURS_ID,
  personalDataErased,
  identityRectified,
  archived,
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
} from './parcours.fixtures.js';
import {
  CorruptStreamError,
  entryOf,
  evolve,
  evolveAll,
  openEmploymentContract,
  openEngagementContract,
  type ParcoursState,
  replay,
} from './state.js';

function stateAfter(events: readonly ParcoursEvent[]): ParcoursState {
  const state = replay(events);
  if (state === null) throw new Error('the fixture opens no parcours');
  return state;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}

describe('evolve', () => {
  describe('ParcoursOpened', () => {
    it('starts an open parcours with its entry facts and nothing else yet', () => {
      expect(evolve(null, opened())).toEqual({
        parcoursId: PARCOURS_ID,
        identity: { status: 'encrypted', value: opened().data.identity },
        householdRole: 'demandeur',
        franceTravailRegisteredOn: '2026-01-05',
        rsaSocle: true,
        entryOn: ENTRY_ON,
        territory: EPCI,
        source: 'caf',
        ageBandAtEntry: '26_to_49',
        status: 'open',
        suspension: null,
        lastResumedOn: null,
        diagnostic: null,
        orientation: null,
        parcoursType: null,
        organismeReferentId: null,
        pendingReorientation: null,
        lastReorientationDecision: null,
        referent: null,
        followUpGroup: [],
        engagementContracts: {},
        openEngagementContractId: null,
        employmentContracts: {},
        openEmploymentContractId: null,
        actions: {},
        appointments: {},
        contacts: {},
        lastContactOn: null,
        lastExit: null,
        lastReopen: null,
        archived: null,
        restrictions: { restriction: null, opposition: null },
      });
    });

    it('refuses a second opening of the same stream', () => {
      expect(() => evolve(stateAfter(anOpenParcours), opened())).toThrow(CorruptStreamError);
    });

    it('refuses any other event before the opening', () => {
      expect(() => evolve(null, contactRecorded())).toThrow('ContactRecorded before ParcoursOpened');
    });
  });

  describe('DiagnosticRecorded', () => {
    it('keeps the diagnostic', () => {
      expect(stateAfter([...anOpenParcours, diagnosed()]).diagnostic).toEqual(diagnosed().data);
    });

    it('lets a newer diagnostic replace an older one', () => {
      const newer = diagnosed({ diagnosedOn: '2026-03-01', qualificationLevel: '4' });
      expect(stateAfter([...anOpenParcours, diagnosed(), newer]).diagnostic).toEqual(newer.data);
    });

    it('does not let a back-dated diagnostic hide a newer one', () => {
      const newer = diagnosed({ diagnosedOn: '2026-03-01' });
      const backDated = diagnosed({ diagnosedOn: '2026-01-10', recentActivity: 'never_worked' });
      expect(stateAfter([...anOpenParcours, newer, backDated]).diagnostic).toEqual(newer.data);
    });
  });

  describe('OrientationDecided', () => {
    it('sets the parcours type and the organisme référent, and keeps the decision', () => {
      const state = stateAfter([...anOpenParcours, oriented()]);
      expect(state).toMatchObject({ parcoursType: 'socio_professionnel', organismeReferentId: CONSEIL_DEPARTEMENTAL, orientation: oriented().data });
    });
  });

  describe('ReorientationRequested', () => {
    it('leaves the request pending', () => {
      expect(stateAfter(aParcoursWithAReorientationTowardsEmploiRequested).pendingReorientation).toEqual(reorientationRequested().data);
    });
  });

  describe('ReorientationDecided', () => {
    it('when accepted, changes the current orientation but keeps the first decision on record', () => {
      const state = stateAfter([...aParcoursWithAReorientationTowardsEmploiRequested, reorientationAccepted()]);
      expect(state).toMatchObject({
        pendingReorientation: null,
        lastReorientationDecision: reorientationAccepted().data,
        parcoursType: 'emploi',
        organismeReferentId: FRANCE_TRAVAIL_THIERS,
        orientation: oriented().data,
      });
    });

    it('when rejected, closes the request and leaves the orientation as it was', () => {
      const state = stateAfter([...aParcoursWithAReorientationTowardsEmploiRequested, reorientationRejected()]);
      expect(state).toMatchObject({
        pendingReorientation: null,
        lastReorientationDecision: reorientationRejected().data,
        parcoursType: 'socio_professionnel',
        organismeReferentId: CONSEIL_DEPARTEMENTAL,
      });
    });
  });

  describe('ReferentAssigned and ReferentReleased', () => {
    it('records the current référent with the date they took over', () => {
      expect(stateAfter(aParcoursFollowedByClaire).referent).toEqual({ userId: CLAIRE_AT_CD, partnerId: CONSEIL_DEPARTEMENTAL, since: '2026-02-12' });
    });

    it('replaces the référent on a handover', () => {
      const state = stateAfter([
        ...aParcoursFollowedByClaire,
        referentReleased({ reason: 'handover', releasedOn: '2026-03-16' }),
        referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-03-16'),
      ]);
      expect(state.referent).toEqual({ userId: KARIM_AT_FRANCE_TRAVAIL, partnerId: FRANCE_TRAVAIL_THIERS, since: '2026-03-16' });
    });

    it('leaves the parcours without référent once released', () => {
      expect(stateAfter([...aParcoursFollowedByClaire, referentReleased()]).referent).toBeNull();
    });
  });

  describe('FollowUpMemberJoined and FollowUpMemberLeft', () => {
    it('adds each partner once, in joining order', () => {
      const state = stateAfter([...anOpenParcours, joined(MISSION_LOCALE), joined(CONSEIL_DEPARTEMENTAL), joined(MISSION_LOCALE)]);
      expect(state.followUpGroup).toEqual([MISSION_LOCALE, CONSEIL_DEPARTEMENTAL]);
    });

    it('removes the partner that left', () => {
      const state = stateAfter([...aParcoursOrientedTowardsSocioProfessionnel40DaysAgo, joined(MISSION_LOCALE), left(MISSION_LOCALE)]);
      expect(state.followUpGroup).toEqual([CONSEIL_DEPARTEMENTAL]);
    });
  });

  describe('AppointmentRecorded', () => {
    it('keeps the appointment, and an attended one counts as the latest contact', () => {
      const state = stateAfter([...aParcoursFollowedByClaire, appointmentRecorded()]);
      expect(state.appointments).toEqual({ [appointmentRecorded().data.appointmentId]: appointmentRecorded().data });
      expect(state.lastContactOn).toBe('2026-02-17');
    });

    it('does not count a missed appointment as a contact', () => {
      const state = stateAfter([...aParcoursFollowedByClaire, appointmentRecorded({ outcome: 'no_show' })]);
      expect(state.lastContactOn).toBeNull();
    });
  });

  describe('ContactRecorded', () => {
    it('keeps the contact and moves the latest contact date forward only', () => {
      const later = contactRecorded();
      const backDated = contactRecorded({ contactId: 'd5e6f708-1920-4a3b-8c4d-5e6f70819203', contactedOn: '2026-02-01' });
      const state = stateAfter([...aParcoursFollowedByClaire, later, backDated]);
      expect(Object.keys(state.contacts)).toHaveLength(2);
      expect(state.lastContactOn).toBe('2026-03-02');
    });
  });

  describe('EngagementContractSigned and EngagementContractEnded', () => {
    it('holds the signed contract open', () => {
      const state = stateAfter(aParcoursWithACerRunning);
      expect(state.openEngagementContractId).toBe(ENGAGEMENT_CONTRACT_ID);
      expect(openEngagementContract(state)).toEqual({ ...engagementContractSigned().data, ended: null });
    });

    it('keeps an ended contract, closed, and no contract open', () => {
      const state = stateAfter([...aParcoursWithACerRunning, engagementContractEnded()]);
      expect(openEngagementContract(state)).toBeNull();
      expect(entryOf(state.engagementContracts, ENGAGEMENT_CONTRACT_ID)?.ended).toEqual({ endedOn: '2026-03-10', reason: 'replaced' });
    });

    it('refuses the end of a contract it never saw signed', () => {
      expect(() => evolve(stateAfter(aParcoursFollowedByClaire), engagementContractEnded())).toThrow(CorruptStreamError);
    });
  });

  describe('ActionPrescribed and ActionStatusChanged', () => {
    it('holds a prescribed action, dated by its prescription', () => {
      const state = stateAfter([...aParcoursFollowedByClaire, actionPrescribed()]);
      expect(entryOf(state.actions, ACTION_ID)).toEqual({ ...actionPrescribed().data, status: 'prescribed', statusChangedOn: '2026-02-25' });
    });

    it('follows the status of the action', () => {
      const state = stateAfter([...aParcoursFollowedByClaire, actionPrescribed(), actionStatusChanged({ status: 'started', changedOn: '2026-03-02' })]);
      expect(entryOf(state.actions, ACTION_ID)).toMatchObject({ status: 'started', statusChangedOn: '2026-03-02' });
    });

    it('refuses a status change of an action it never saw prescribed', () => {
      expect(() => evolve(stateAfter(aParcoursFollowedByClaire), actionStatusChanged())).toThrow(CorruptStreamError);
    });

    it('keeps an id such as "__proto__" as data, not as a prototype', () => {
      const state = stateAfter([...aParcoursFollowedByClaire, actionPrescribed({ actionId: '__proto__' })]);
      expect(entryOf(state.actions, '__proto__')).toMatchObject({ status: 'prescribed' });
      expect(entryOf(state.actions, 'toString')).toBeUndefined();
      expect(Object.getPrototypeOf(state.actions)).toBe(Object.prototype);
    });
  });

  describe('EmploymentContractStarted and EmploymentContractEnded', () => {
    it('holds the running contract open', () => {
      const state = stateAfter(aParcoursWithACddiRunning);
      expect(openEmploymentContract(state)).toEqual({ ...employmentContractStarted().data, ended: null });
    });

    it('keeps an ended contract, closed', () => {
      const state = stateAfter([...aParcoursWithACddiRunning, employmentContractEnded()]);
      expect(openEmploymentContract(state)).toBeNull();
      expect(entryOf(state.employmentContracts, EMPLOYMENT_CONTRACT_ID)?.ended).toEqual({ endedOn: '2026-03-16', reason: 'early_termination' });
    });

    it('refuses the end of a contract it never saw start', () => {
      expect(() => evolve(stateAfter(aParcoursFollowedByClaire), employmentContractEnded())).toThrow(CorruptStreamError);
    });
  });

  describe('ParcoursSuspended and ParcoursResumed', () => {
    it('suspends with the ground of the sanction', () => {
      expect(stateAfter(aParcoursSuspendedSince5March)).toMatchObject({ status: 'suspended', suspension: suspended().data });
    });

    it('resumes and remembers when', () => {
      expect(stateAfter([...aParcoursSuspendedSince5March, resumed('2026-03-16')])).toMatchObject({
        status: 'open',
        suspension: null,
        lastResumedOn: '2026-03-16',
      });
    });
  });

  describe('ParcoursExited and ParcoursReopened', () => {
    it('exits, ending a suspension and a pending reorientation with it', () => {
      const state = stateAfter([...aParcoursWithAReorientationTowardsEmploiRequested, suspended(), exited()]);
      expect(state).toMatchObject({ status: 'exited', suspension: null, pendingReorientation: null, lastExit: exited().data });
    });

    it('reopens with the orientation kept and no référent until one is assigned', () => {
      const state = stateAfter([...aParcoursExitedOn15March, reopened()]);
      expect(state).toMatchObject({
        status: 'open',
        lastReopen: reopened().data,
        lastExit: exited().data,
        parcoursType: 'socio_professionnel',
        referent: null,
        openEngagementContractId: null,
      });
    });
  });

  describe('PersonalDataErased', () => {
    it('marks the identity erased and keeps everything else', () => {
      const before = stateAfter([...aParcoursWithACddiRunning, appointmentRecorded()]);
      const after = evolve(before, personalDataErased());
      expect(after.identity).toEqual({ status: 'erased', legalGround: 'erasure_request_granted', erasedOn: '2026-03-19' });
      expect({ ...after, identity: null }).toEqual({ ...before, identity: null });
    });
 
    it('drops the notes of contacts, encrypted under the destroyed key, and keeps the contacts', () => {
      const before = stateAfter([...aParcoursFollowedByClaire, contactRecorded({ note: { ciphertext: 'v1.note' } })]);
      const after = evolve(before, personalDataErased());
      expect(Object.values(after.contacts)).toEqual([{ ...contactRecorded().data, note: null }]);
      expect(Object.values(before.contacts)[0]!.note).toEqual({ ciphertext: 'v1.note' });
    });
  });

  describe('the rights of the person and retention', () => {
    it('replaces the identity with the rectified one and follows the corrected age band', () => {
      const after = stateAfter([...aParcoursFollowedByClaire, identityRectified({ ageBandAtEntry: 'under_26' })]);
      expect(after.identity).toEqual({ status: 'encrypted', value: { ciphertext: 'v1.rectified.identity' } });
      expect(after.ageBandAtEntry).toBe('under_26');
    });

    it('holds a restriction and an opposition apart, each until lifted', () => {
      const both = stateAfter([
        ...aParcoursFollowedByClaire,
        processingRestricted(),
        processingRestricted({ right: 'opposition', ground: 'particular_situation', restrictedOn: '2026-03-06' }),
      ]);
      expect(both.restrictions).toEqual({
        restriction: { ground: 'accuracy_contested', since: '2026-03-05' },
        opposition: { ground: 'particular_situation', since: '2026-03-06' },
      });
      expect(evolve(both, processingRestrictionLifted()).restrictions).toEqual({ restriction: null, opposition: { ground: 'particular_situation', since: '2026-03-06' } });
    });

    it('records the archive with the day the retention clock started', () => {
      expect(stateAfter([...aParcoursFollowedByClaire, archived()]).archived).toEqual({ archivedOn: '2028-03-03', lastActivityOn: '2026-03-02' });
      expect(stateAfter(aParcoursFollowedByClaire)).toMatchObject({ archived: null, restrictions: { restriction: null, opposition: null } });
    });
  });

  it('changes the state for every event type of the catalogue', () => {
    const oneOfEach: Record<ParcoursEventType, { given: readonly ParcoursEvent[]; event: ParcoursEvent }> = {
      ParcoursOpened: { given: [], event: opened() },
      FranceTravailRegistered: { given: [opened({ entryOn: '2024-06-03' })], event: franceTravailRegistered() },
      DiagnosticRecorded: { given: anOpenParcours, event: diagnosed() },
      OrientationDecided: { given: anOpenParcours, event: oriented() },
      ReorientationRequested: { given: aParcoursFollowedByClaire, event: reorientationRequested() },
      ReorientationDecided: { given: aParcoursWithAReorientationTowardsEmploiRequested, event: reorientationAccepted() },
      ReferentAssigned: { given: aParcoursOrientedTowardsSocioProfessionnel40DaysAgo, event: referentAssigned() },
      ReferentReleased: { given: aParcoursFollowedByClaire, event: referentReleased() },
      FollowUpMemberJoined: { given: anOpenParcours, event: joined(MISSION_LOCALE) },
      FollowUpMemberLeft: { given: aParcoursFollowedByClaire, event: left(CONSEIL_DEPARTEMENTAL) },
      AppointmentRecorded: { given: aParcoursFollowedByClaire, event: appointmentRecorded() },
      ContactRecorded: { given: aParcoursFollowedByClaire, event: contactRecorded() },
      EngagementContractSigned: { given: aParcoursFollowedByClaire, event: engagementContractSigned() },
      EngagementContractEnded: { given: aParcoursWithACerRunning, event: engagementContractEnded() },
      ActionPrescribed: { given: aParcoursFollowedByClaire, event: actionPrescribed() },
      ActionStatusChanged: { given: [...aParcoursFollowedByClaire, actionPrescribed()], event: actionStatusChanged() },
      EmploymentContractStarted: { given: aParcoursFollowedByClaire, event: employmentContractStarted({ employerPartnerId: ACI_JARDINS }) },
      EmploymentContractEnded: { given: aParcoursWithACddiRunning, event: employmentContractEnded() },
      ParcoursSuspended: { given: aParcoursFollowedByClaire, event: suspended() },
      ParcoursResumed: { given: aParcoursSuspendedSince5March, event: resumed() },
      ParcoursExited: { given: aParcoursFollowedByClaire, event: exited() },
      ParcoursReopened: { given: aParcoursExitedOn15March, event: reopened() },
      PersonalDataErased: { given: aParcoursFollowedByClaire, event: personalDataErased() },
      IdentityRectified: { given: aParcoursFollowedByClaire, event: identityRectified() },
      ParcoursArchived: { given: aParcoursFollowedByClaire, event: archived() },
      ProcessingRestricted: { given: aParcoursFollowedByClaire, event: processingRestricted() },
      ProcessingRestrictionLifted: { given: [...aParcoursFollowedByClaire, processingRestricted()], event: processingRestrictionLifted() },
      RsaRightsRecorded: { given: aParcoursFollowedByClaire, event: { type: 'RsaRightsRecorded', data: { rights: 'non_socle', rsaSocle: false, rightsOn: '2026-04-01', source: 'caf' } } },
    };
    for (const [type, { given, event }] of Object.entries(oneOfEach)) {
      expect(event.type).toBe(type);
      const before = replay(given);
      expect(evolve(before, event)).not.toEqual(before);
    }
  });

  it('never mutates the state or the event it is given', () => {
    const history = [
      ...aParcoursWithACerRunning,
      joined(MISSION_LOCALE),
      appointmentRecorded(),
      contactRecorded(),
      actionPrescribed(),
      actionStatusChanged(),
      employmentContractStarted(),
      employmentContractEnded(),
      reorientationRequested(),
      reorientationAccepted(),
      joined(FRANCE_TRAVAIL_THIERS, '2026-03-12'),
      left(MISSION_LOCALE),
      suspended(),
      resumed(),
      referentReleased(),
      engagementContractEnded(),
      exited(),
      reopened(),
      personalDataErased(),
    ];
    let state: ParcoursState | null = null;
    for (const event of history) {
      state = evolve(deepFreeze(state), deepFreeze(event));
    }
    expect(state).toMatchObject({ status: 'open', identity: { status: 'erased' }, followUpGroup: [CONSEIL_DEPARTEMENTAL, FRANCE_TRAVAIL_THIERS] });
  });

  it('replays an empty stream to no parcours', () => {
    expect(replay([])).toBeNull();
  });
});

describe('evolveAll', () => {
  const history: ParcoursEvent[] = [
    opened(),
    oriented(),
    referentAssigned(),
    engagementContractSigned(),
    actionPrescribed(),
    actionStatusChanged(),
    ...Array.from({ length: 60 }, (_, index) => contactRecorded({ contactId: `contact-${index}` })),
    ...Array.from({ length: 60 }, (_, index) => appointmentRecorded({ appointmentId: `appointment-${index}` })),
    contactRecorded({ contactId: '__proto__' }),
    engagementContractEnded(),
  ];

  it('gives the state that folding evolve one event at a time gives', () => {
    const expected = history.reduce<ParcoursState | null>(evolve, null);
    expect(evolveAll(null, history)).toEqual(expected);
    expect(Object.keys(evolveAll(null, history)!.contacts)).toHaveLength(61);
  });

  it('leaves the state it starts from untouched, frozen or not', () => {
    const middle = deepFreeze(history.slice(0, 40).reduce<ParcoursState | null>(evolve, null));
    const before = structuredClone(middle);
    const after = evolveAll(middle, history.slice(40));
    expect(after).toEqual(history.reduce<ParcoursState | null>(evolve, null));
    expect(middle).toEqual(before);
    expect(Object.keys(middle!.contacts)).toHaveLength(34);
  });

  it('keeps an id of "__proto__" as a plain entry', () => {
    const state = evolveAll(null, history)!;
    expect(Object.getPrototypeOf(state.contacts)).toBe(Object.prototype);
    expect(entryOf(state.contacts, '__proto__')).toMatchObject({ contactId: '__proto__' });
  });
});
