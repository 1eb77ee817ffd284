import { project, recorded } from '../../../projections/recorded.fixtures.js';
import {
  ACI_JARDINS,
  CLAIRE_AT_CD,
  CONSEIL_DEPARTEMENTAL,
  ENGAGEMENT_CONTRACT_ID,
  MISSION_LOCALE,
  PARCOURS_ID,
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  aParcoursOrientedTowardsSocioProfessionnel40DaysAgo,
  aParcoursSuspendedSince5March,
  aParcoursWithACerRunning,
  anOpenParcours,
  appointmentRecorded,
  archived,
  contactRecorded,
  engagementContractEnded,
  joined,
  left,
  processingRestricted,
  processingRestrictionLifted,
  referentAssigned,
  referentReleased,
  reopened,
  reorientationAccepted,
  reorientationRejected,
  resumed,
} from '../../domain/parcours.fixtures.js';
import type { ParcoursEvent, ProcessingRestrictedData } from '../../domain/events.js';
import { type CaseloadDoc, caseloadProjection } from './caseload.projection.js';

const caseload = (events: readonly ParcoursEvent[]) => project<CaseloadDoc>(caseloadProjection.reduce, recorded(PARCOURS_ID, events));

describe('the caseload projection', () => {
  it('starts an open parcours with its territory and entry, followed by nobody yet', () => {
    expect(caseload(anOpenParcours)).toMatchObject({ parcoursId: PARCOURS_ID, status: 'open', territory: 'cc-thiers-dore-et-montagne', partnerIds: [], referent: null, lastVersion: 1 });
  });

  it('adds the organisme référent and the référent’s organisation to who sees it', () => {
    const oriented = caseload(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo)!;
    expect(oriented).toMatchObject({ parcoursType: 'socio_professionnel' });
    expect(oriented.partnerIds).toContain(oriented.organismeReferentId);
    const followed = caseload(aParcoursFollowedByClaire)!;
    expect(followed.referent).toMatchObject({ userId: CLAIRE_AT_CD, partnerId: CONSEIL_DEPARTEMENTAL });
    expect(followed.partnerIds).toContain(CONSEIL_DEPARTEMENTAL);
  });

  it('follows the follow-up group: a partner joins, then leaves', () => {
    const joinedAci = caseload([...anOpenParcours, joined(ACI_JARDINS)])!;
    expect(joinedAci.partnerIds).toEqual([ACI_JARDINS]);
    expect(caseload([...anOpenParcours, joined(ACI_JARDINS), left(ACI_JARDINS)])!.partnerIds).toEqual([]);
  });

  it('moves with a handover and with an accepted reorientation, not with a rejected one', () => {
    const handover = caseload([...aParcoursFollowedByClaire, referentReleased({ reason: 'handover' }), referentAssigned('someone-else', MISSION_LOCALE, '2026-03-01')])!;
    expect(handover.referent).toMatchObject({ userId: 'someone-else', partnerId: MISSION_LOCALE });
    expect(caseload([...aParcoursFollowedByClaire, referentReleased()])!.referent).toBeNull();
    const before = caseload(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo)!;
    expect(caseload([...aParcoursOrientedTowardsSocioProfessionnel40DaysAgo, reorientationRejected()])!.parcoursType).toBe(before.parcoursType);
    const accepted = caseload([...aParcoursOrientedTowardsSocioProfessionnel40DaysAgo, reorientationAccepted()])!;
    expect(accepted.parcoursType).not.toBe(before.parcoursType);
    expect(accepted.partnerIds).toContain(accepted.organismeReferentId);
  });

  it('keeps the last contact: contacts and attended appointments, whatever the order they were recorded in', () => {
    const doc = caseload([
      ...anOpenParcours,
      contactRecorded({ contactedOn: '2026-03-10' }),
      appointmentRecorded({ scheduledOn: '2026-03-15', outcome: 'no_show' }),
      contactRecorded({ contactId: 'c2', contactedOn: '2026-02-01' }),
      appointmentRecorded({ appointmentId: 'a2', scheduledOn: '2026-03-12', outcome: 'seen' }),
    ])!;
    expect(doc.lastContactOn).toBe('2026-03-12');
  });

  it('shows the running engagement contract until it ends', () => {
    const running = caseload(aParcoursWithACerRunning)!;
    expect(running.engagementContractEndsOn).not.toBeNull();
    expect(caseload([...aParcoursWithACerRunning, engagementContractEnded({ contractId: ENGAGEMENT_CONTRACT_ID })])!.engagementContractEndsOn).toBeNull();
  });

  it('follows the status: suspended, resumed, exited, reopened', () => {
    expect(caseload(aParcoursSuspendedSince5March)!.status).toBe('suspended');
    expect(caseload([...aParcoursSuspendedSince5March, resumed()])!.status).toBe('open');
    expect(caseload(aParcoursExitedOn15March)!.status).toBe('exited');
    expect(caseload([...aParcoursExitedOn15March, reopened()])!.status).toBe('open');
  });

  it('ignores an event it already applied, and refuses one without an opening', () => {
    const events = recorded(PARCOURS_ID, aParcoursFollowedByClaire);
    const once = project<CaseloadDoc>(caseloadProjection.reduce, events);
    expect(project<CaseloadDoc>(caseloadProjection.reduce, [...events, events[1]!, events[2]!])).toEqual(once);
    expect(() => caseloadProjection.reduce(null, recorded(PARCOURS_ID, [joined(ACI_JARDINS)])[0]!)).toThrow('before ParcoursOpened');
  });

  describe('the person’s rights (RGPD art. 18 and 21)', () => {
    const opposition = (data: Partial<ProcessingRestrictedData> = {}) => processingRestricted({ right: 'opposition', ground: 'particular_situation', restrictedOn: '2026-03-07', ...data });

    it('starts with none in force', () => {
      expect(caseload(aParcoursFollowedByClaire)).toMatchObject({ restrictedSince: null, opposedSince: null });
    });

    it('shows since when a restriction and an opposition are in force, each lifted on its own', () => {
      const both = [...aParcoursFollowedByClaire, processingRestricted(), opposition()];
      expect(caseload([...aParcoursFollowedByClaire, processingRestricted()])).toMatchObject({ restrictedSince: '2026-03-05', opposedSince: null });
      expect(caseload([...aParcoursFollowedByClaire, opposition()])).toMatchObject({ restrictedSince: null, opposedSince: '2026-03-07' });
      expect(caseload(both)).toMatchObject({ restrictedSince: '2026-03-05', opposedSince: '2026-03-07' });
      expect(caseload([...both, processingRestrictionLifted()])).toMatchObject({ restrictedSince: null, opposedSince: '2026-03-07' });
      expect(caseload([...both, processingRestrictionLifted({ right: 'opposition' })])).toMatchObject({ restrictedSince: '2026-03-05', opposedSince: null });
    });

    it('shows the date of the restriction in force, not of one lifted before it', () => {
      const restrictedAgain = [...aParcoursFollowedByClaire, processingRestricted(), processingRestrictionLifted(), processingRestricted({ restrictedOn: '2026-03-15' })];
      expect(caseload(restrictedAgain)!.restrictedSince).toBe('2026-03-15');
    });

    it('keeps the parcours in the caseload of the same organisations: a right changes who may know, not who is in charge', () => {
      const before = caseload(aParcoursFollowedByClaire)!;
      const after = caseload([...aParcoursFollowedByClaire, processingRestricted(), opposition()])!;
      expect(after).toEqual({ ...before, restrictedSince: '2026-03-05', opposedSince: '2026-03-07', lastVersion: before.lastVersion + 2 });
    });
  });

  describe('the intermediate archive (R. 263-8 CASF)', () => {
    it('deletes the document: an archived parcours is in no caseload', () => {
      expect(caseload(aParcoursFollowedByClaire)).not.toBeNull();
      expect(caseload([...aParcoursFollowedByClaire, archived()])).toBeNull();
      expect(caseload([...aParcoursExitedOn15March, archived()])).toBeNull();
    });

    it('brings nothing back with the rights exercised afterwards, nor with a second archive notice, and does not throw', () => {
      const afterArchive = [
        ...aParcoursFollowedByClaire,
        archived(),
        processingRestricted({ restrictedOn: '2028-04-01' }),
        processingRestrictionLifted({ liftedOn: '2028-05-01' }),
        archived({ archivedOn: '2028-06-01' }),
      ];
      expect(() => caseload(afterArchive)).not.toThrow();
      expect(caseload(afterArchive)).toBeNull();
      for (const event of recorded(PARCOURS_ID, afterArchive).slice(aParcoursFollowedByClaire.length + 1)) {
        expect(caseloadProjection.reduce(null, event)).toBeNull();
      }
    });

    it('still refuses any other event without a document: only the rights outlive the archive', () => {
      const ordinary = recorded(PARCOURS_ID, [...aParcoursFollowedByClaire, archived(), contactRecorded({ contactedOn: '2028-04-01' })]).at(-1)!;
      expect(() => caseloadProjection.reduce(null, ordinary)).toThrow('ContactRecorded before ParcoursOpened');
    });

    it('reaches the projection, with the rights: the runner hands it only the types it subscribes to', () => {
      expect(caseloadProjection.eventTypes).toEqual(expect.arrayContaining(['ParcoursArchived', 'ProcessingRestricted', 'ProcessingRestrictionLifted']));
    });
  });

  describe('a document stored before the rights were kept (schema version 2)', () => {
    const events = recorded(PARCOURS_ID, [...aParcoursFollowedByClaire, contactRecorded(), processingRestricted({ right: 'opposition', ground: 'other', restrictedOn: '2026-03-07' })]);
    const current = project<CaseloadDoc>(caseloadProjection.reduce, events.slice(0, -2))!;
    /** As version 2 wrote it: the same document without the two keys. */
    const { restrictedSince: _restrictedSince, opposedSince: _opposedSince, ...storedV2 } = current;
    const oldDoc = storedV2 as CaseloadDoc;

    it('reads the missing rights as none in force on the next event', () => {
      expect(oldDoc).not.toHaveProperty('restrictedSince');
      const next = caseloadProjection.reduce(oldDoc, events.at(-2)!)!;
      expect(next.restrictedSince).toBeNull();
      expect(next.opposedSince).toBeNull();
      expect(next.lastContactOn).toBe('2026-03-02');
    });

    it('gives a right exercised afterwards its date, the other right none', () => {
      const next = caseloadProjection.reduce(oldDoc, events.at(-1)!)!;
      expect(next.opposedSince).toBe('2026-03-07');
      expect(next.restrictedSince).toBeNull();
    });

    it('ends as the document of a full replay', () => {
      const upgraded = [events.at(-2)!, events.at(-1)!].reduce<CaseloadDoc | null>((doc, event) => caseloadProjection.reduce(doc, event), oldDoc);
      expect(upgraded).toStrictEqual(project<CaseloadDoc>(caseloadProjection.reduce, events));
    });
  });
});
