import { UpcasterRegistry } from '../../event-store/upcasters.js';
import { PARCOURS_UPCASTERS } from './upcasters.js';
import { isParcoursEventType, PARCOURS_EVENT_TYPES } from './events.js';

describe('the v1 event catalogue', () => {
  it('names exactly the stored event types (renaming one would orphan stored events)', () => {
    expect([...PARCOURS_EVENT_TYPES].sort()).toEqual(
      [
        'ParcoursOpened',
        'FranceTravailRegistered',
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
        'IdentityRectified',
        'ParcoursArchived',
        'ProcessingRestricted',
        'ProcessingRestrictionLifted',
        'RsaRightsRecorded',
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

describe('upcasters of the parcours catalogue', () => {
  const registry = new UpcasterRegistry(PARCOURS_UPCASTERS);

  it('writes contacts at schema version 2 and reads a version 1 contact with no note', () => {
    expect(registry.currentVersion('ContactRecorded')).toBe(2);
    const v1 = { contactId: 'c1', channel: 'phone', contactedOn: '2026-03-02', partnerId: 'p1' };
    expect(registry.upcast('ContactRecorded', 1, v1)).toEqual({ schemaVersion: 2, data: { ...v1, note: null } });
    expect(registry.upcast('ContactRecorded', 2, { ...v1, note: { ciphertext: 'x' } }).data).toEqual({ ...v1, note: { ciphertext: 'x' } });
  });
});
