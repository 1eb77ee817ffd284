import { isParcoursEventType, PARCOURS_EVENT_TYPES } from './events.js';

describe('the v1 event catalogue', () => {
  it('names exactly the stored event types (renaming one would orphan stored events)', () => {
    expect([...PARCOURS_EVENT_TYPES].sort()).toEqual(
      [
        'ParcoursOpened',
        'DiagnosticRecorded',
        'OrientationDecided',
        'ReorientationRequested',
        'ReorientationDecided',
        'ReferentAssigned',
        'ReferentReleased',
        'FollowUpMemberJoined',
        'FollowUpMemberLeft',
        'AppointmentRecorded',
        'ContactRecorded',
        'EngagementContractSigned',
        'EngagementContractEnded',
        'ActionPrescribed',
        'ActionStatusChanged',
        'EmploymentContractStarted',
        'EmploymentContractEnded',
        'ParcoursSuspended',
        'ParcoursResumed',
        'ParcoursExited',
        'ParcoursReopened',
        'PersonalDataErased',
      ].sort(),
    );
  });

  it('cannot be altered at run time', () => {
    expect(Object.isFrozen(PARCOURS_EVENT_TYPES)).toBe(true);
  });

  it('recognises its own types in stored events and nothing else', () => {
    expect(isParcoursEventType('ReferentAssigned')).toBe(true);
    expect(isParcoursEventType('referentAssigned')).toBe(false);
    expect(isParcoursEventType('PartnerRegistered')).toBe(false);
    expect(isParcoursEventType('toString')).toBe(false);
  });
});
