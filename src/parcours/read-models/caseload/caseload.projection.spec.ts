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
  contactRecorded,
  engagementContractEnded,
  joined,
  left,
  referentAssigned,
  referentReleased,
  reopened,
  reorientationAccepted,
  reorientationRejected,
  resumed,
} from '../../domain/parcours.fixtures.js';
import type { ParcoursEvent } from '../../domain/events.js';
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
});
