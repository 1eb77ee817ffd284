import {
  archived,
  contactRecorded,
  diagnosed,
  EPCI,
  exited,
  opened,
  oriented,
  reopened,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, knownBy, policyWith, recorded, recordedLater, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { entryWithoutOrientation } from './r1-entry-without-orientation.js';

// Entry on 2026-01-05: day 30 is 4 February, day 31 the 5th, day 42 the 16th, day 43 the 17th.
const r1 = (events: Parameters<typeof entryWithoutOrientation>[0], asOf: string, policy = DEFAULT_POLICY) =>
  entryWithoutOrientation(events, asOf, policy);

describe('R1 — entry without an orientation decision', () => {
  const enteredOn5JanuaryNeverOriented = recorded([opened(), diagnosed()]);

  it('is silent up to day 30 and warns from day 31', () => {
    expect(r1(enteredOn5JanuaryNeverOriented, '2026-02-04')).toEqual([]);
    expect(r1(enteredOn5JanuaryNeverOriented, '2026-02-05').map(summary)).toEqual([
      { ruleId: 'R1', severity: 'warning', status: 'open', dueOn: '2026-02-16', observedOn: '2026-02-05', endedOn: null, durationDays: 1 },
    ]);
  });

  it('still warns on day 42 and is a breach from day 43', () => {
    expect(r1(enteredOn5JanuaryNeverOriented, '2026-02-16').map(summary)).toEqual([
      { ruleId: 'R1', severity: 'warning', status: 'open', dueOn: '2026-02-16', observedOn: '2026-02-05', endedOn: null, durationDays: 12 },
    ]);
    expect(r1(enteredOn5JanuaryNeverOriented, '2026-02-17').map(summary)).toEqual([
      { ruleId: 'R1', severity: 'breach', status: 'open', dueOn: '2026-02-16', observedOn: '2026-02-17', endedOn: null, durationDays: 1 },
    ]);
  });

  it('says which policy judged it and cites the entry', () => {
    const [finding] = r1(enteredOn5JanuaryNeverOriented, '2026-03-20');
    expect(finding.policy).toEqual({
      version: DEFAULT_POLICY.version,
      effectiveFrom: '2025-01-01',
      regime: 'plein_emploi',
      territory: null,
      source: expect.stringContaining('2024-1244') as unknown,
      thresholds: { warningAfterDays: 30, breachAfterDays: 42 },
    });
    expect(finding.evidence).toEqual({ eventIds: ['e1'], streamVersions: [1] });
  });

  it('a parcours oriented on day 30 has no finding', () => {
    expect(r1(recorded([opened(), oriented({ decidedOn: '2026-02-04', notifiedOn: null })]), '2026-03-20')).toEqual([]);
  });

  it('a parcours oriented on day 42 leaves a closed warning; on day 43, a closed one-day breach', () => {
    expect(r1(recorded([opened(), oriented({ decidedOn: '2026-02-16', notifiedOn: null })]), '2026-03-20').map(summary)).toEqual([
      { ruleId: 'R1', severity: 'warning', status: 'closed', dueOn: '2026-02-16', observedOn: '2026-02-05', endedOn: '2026-02-16', durationDays: 12 },
    ]);
    expect(r1(recorded([opened(), oriented({ decidedOn: '2026-02-17', notifiedOn: null })]), '2026-03-20').map(summary)).toEqual([
      { ruleId: 'R1', severity: 'breach', status: 'closed', dueOn: '2026-02-16', observedOn: '2026-02-17', endedOn: '2026-02-17', durationDays: 1 },
    ]);
  });

  it('a parcours oriented 45 days after entry is a closed breach of 3 days, proven by the entry and the late orientation', () => {
    const orientedAfter45Days = recorded([opened(), diagnosed(), oriented({ decidedOn: '2026-02-19', notifiedOn: '2026-02-19' })]);
    const findings = r1(orientedAfter45Days, '2026-03-20');
    expect(findings.map(summary)).toEqual([
      { ruleId: 'R1', severity: 'breach', status: 'closed', dueOn: '2026-02-16', observedOn: '2026-02-17', endedOn: '2026-02-19', durationDays: 3 },
    ]);
    expect(evidenceTypes(findings[0], orientedAfter45Days)).toEqual(['ParcoursOpened', 'OrientationDecided']);
    expect(findings[0].evidence).toEqual({ eventIds: ['e1', 'e3'], streamVersions: [1, 3] });
  });

  describe('an orientation dated 10 February but recorded on 15 March, after a contact of 2 March', () => {
    const backDated = recorded([
      opened(),
      contactRecorded({ contactedOn: '2026-03-02' }),
      recordedLater(oriented({ decidedOn: '2026-02-10', notifiedOn: null }), '2026-03-15'),
    ]);
    const closedWarning = { ruleId: 'R1', severity: 'warning', status: 'closed', dueOn: '2026-02-16', observedOn: '2026-02-05', endedOn: '2026-02-10', durationDays: 6 };

    it('closes the warning on its business date for every later audit date', () => {
      expect(r1(backDated, '2026-03-20').map(summary)).toEqual([closedWarning]);
      expect(r1(backDated, '2026-02-10').map(summary)).toEqual([closedWarning]);
    });

    it('counts for an audit as of a date before it was recorded: audits judge business dates', () => {
      expect(r1(backDated, '2026-02-20').map(summary)).toEqual([closedWarning]);
    });

    it('does not count for an audit dated before it happened', () => {
      expect(r1(backDated, '2026-02-09').map(summary)).toEqual([
        { ruleId: 'R1', severity: 'warning', status: 'open', dueOn: '2026-02-16', observedOn: '2026-02-05', endedOn: null, durationDays: 5 },
      ]);
    });

    it('replays what the system knew on 20 February when given only the events recorded by then', () => {
      expect(r1(knownBy(backDated, '2026-02-20'), '2026-02-20').map(summary)).toEqual([
        { ruleId: 'R1', severity: 'breach', status: 'open', dueOn: '2026-02-16', observedOn: '2026-02-17', endedOn: null, durationDays: 4 },
      ]);
    });
  });

  it('an exit before any orientation closes the break on the exit date', () => {
    const exitedOn20February = recorded([opened(), exited({ exitedOn: '2026-02-20', category: 'autre', reason: 'moved_out_of_territory' })]);
    const findings = r1(exitedOn20February, '2026-06-30');
    expect(findings.map(summary)).toEqual([
      { ruleId: 'R1', severity: 'breach', status: 'closed', dueOn: '2026-02-16', observedOn: '2026-02-17', endedOn: '2026-02-20', durationDays: 4 },
    ]);
    expect(evidenceTypes(findings[0], exitedOn20February)).toEqual(['ParcoursOpened', 'ParcoursExited']);
  });

  it('a parcours reopened on 1 April without ever being oriented awaits its orientation again from the reopening', () => {
    const reopenedNeverOriented = recorded([
      opened(),
      exited({ exitedOn: '2026-01-20', category: 'autre', reason: 'moved_out_of_territory' }),
      reopened({ reopenedOn: '2026-04-01', reason: 'beneficiary_request' }),
    ]);
    expect(r1(reopenedNeverOriented, '2026-05-13').map(summary)).toEqual([
      { ruleId: 'R1', severity: 'warning', status: 'open', dueOn: '2026-05-13', observedOn: '2026-05-02', endedOn: null, durationDays: 12 },
    ]);
    const [finding] = r1(reopenedNeverOriented, '2026-05-14');
    expect(summary(finding)).toEqual({ ruleId: 'R1', severity: 'breach', status: 'open', dueOn: '2026-05-13', observedOn: '2026-05-14', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, reopenedNeverOriented)).toEqual(['ParcoursReopened']);
  });

  it('keeps running through a suspension: orienting is the institution’s duty', () => {
    const suspendedBeforeOrientation = recorded([opened(), suspended({ suspendedOn: '2026-01-20', reason: 'appointment_missed' })]);
    expect(r1(suspendedBeforeOrientation, '2026-02-17').map(summary)).toEqual([
      { ruleId: 'R1', severity: 'breach', status: 'open', dueOn: '2026-02-16', observedOn: '2026-02-17', endedOn: null, durationDays: 1 },
    ]);
  });

  describe('with a territory that orients within 30 days', () => {
    const policy = policyWith((document) => {
      document.overrides[EPCI] = { R1: [{ effectiveFrom: '2025-01-01', source: 'convention SPIE Thiers', thresholds: { warningAfterDays: 20, breachAfterDays: 30 } }] };
    });

    it("judges the territory's parcours by its thresholds, and says so", () => {
      const [finding] = r1(enteredOn5JanuaryNeverOriented, '2026-02-05', policy);
      expect(summary(finding)).toEqual({ ruleId: 'R1', severity: 'breach', status: 'open', dueOn: '2026-02-04', observedOn: '2026-02-05', endedOn: null, durationDays: 1 });
      expect(finding.policy).toMatchObject({ territory: EPCI, effectiveFrom: '2025-01-01', thresholds: { warningAfterDays: 20, breachAfterDays: 30 } });
    });

    it('leaves the parcours of other territories to the default thresholds', () => {
      const elsewhere = recorded([opened({ territory: 'cc-billom-communaute' })]);
      expect(r1(elsewhere, '2026-02-05').map((finding) => [finding.severity, finding.policy.territory])).toEqual([['warning', null]]);
    });

    it('applies the territory the caller names over the one of ParcoursOpened', () => {
      const elsewhere = recorded([opened({ territory: 'cc-billom-communaute' })]);
      expect(entryWithoutOrientation(elsewhere, '2026-02-05', policy, EPCI).map((finding) => finding.severity)).toEqual(['breach']);
    });
  });

  describe('restriction of processing (RGPD art. 18) and archive (R. 263-8 CASF)', () => {
    it('keeps running through a restriction of processing, and cites none: orienting is the institution’s duty', () => {
      const restrictedFrom20JanuaryTo10February = recorded([opened(), ...restrictedFromTo('2026-01-20', '2026-02-10')]);
      const [finding, ...others] = r1(restrictedFrom20JanuaryTo10February, '2026-02-17');
      expect(others).toEqual([]);
      expect(summary(finding)).toEqual({ ruleId: 'R1', severity: 'breach', status: 'open', dueOn: '2026-02-16', observedOn: '2026-02-17', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, restrictedFrom20JanuaryTo10February)).toEqual(['ParcoursOpened']);
    });

    it('an archive before the warning stops the clock for good: what would have been a breach never is', () => {
      expect(r1(recorded([opened()]), '2026-02-17').map((finding) => finding.severity)).toEqual(['breach']);
      const archivedOn1February = recorded([opened(), archived({ archivedOn: '2026-02-01', lastActivityOn: '2026-01-05' })]);
      expect(r1(archivedOn1February, '2026-02-17')).toEqual([]);
      expect(r1(archivedOn1February, '2030-01-01')).toEqual([]);
    });

    it('an archive after the breach closes it on the archive date, citing it', () => {
      const archivedOn20February = recorded([opened(), archived({ archivedOn: '2026-02-20', lastActivityOn: '2026-01-05' })]);
      const [finding] = r1(archivedOn20February, '2026-06-30');
      expect(summary(finding)).toEqual({ ruleId: 'R1', severity: 'breach', status: 'closed', dueOn: '2026-02-16', observedOn: '2026-02-17', endedOn: '2026-02-20', durationDays: 4 });
      expect(evidenceTypes(finding, archivedOn20February)).toEqual(['ParcoursOpened', 'ParcoursArchived']);
    });

    it('ignores a reopening dated after the archive: no clock starts again', () => {
      // Without the archive, the reopening of a parcours never oriented would start a new R1 clock (see above).
      const reopenedAfterTheArchive = recorded([opened(), archived({ archivedOn: '2026-02-20', lastActivityOn: '2026-01-05' }), reopened({ reopenedOn: '2026-04-01', reason: 'beneficiary_request' })]);
      expect(r1(reopenedAfterTheArchive, '2026-12-31').map((finding) => [finding.status, finding.endedOn])).toEqual([['closed', '2026-02-20']]);
    });
  });
});
