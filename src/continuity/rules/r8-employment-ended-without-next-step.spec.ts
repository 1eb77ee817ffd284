import type { ParcoursEvent } from '../../parcours/domain/events.js';
import {
  actionPrescribed,
  actionStatusChanged,
  aParcoursWithACddiRunning,
  appointmentRecorded,
  archived,
  contactRecorded,
  employmentContractEnded,
  employmentContractStarted,
  engagementContractSigned,
  exited,
  resumed,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, opposedFromTo, recorded, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { employmentEndedWithoutNextStep } from './r8-employment-ended-without-next-step.js';

const r8 = (events: Parameters<typeof employmentEndedWithoutNextStep>[0], asOf: string) => employmentEndedWithoutNextStep(events, asOf, DEFAULT_POLICY);

// A CDDI in an ACI since 2 March 2026, ended early on 16 March: day 30 is 15 April, day 31 the 16th.
describe('R8 — employment contract ended with no next step', () => {
  const cddiEndedOn16March = [...aParcoursWithACddiRunning, employmentContractEnded({ endedOn: '2026-03-16' })];

  it('a CDDI ended, nothing for 40 days: an open breach since day 31', () => {
    const findings = r8(recorded(cddiEndedOn16March), '2026-04-25');
    expect(findings.map(summary)).toEqual([
      { ruleId: 'R8', severity: 'breach', status: 'open', dueOn: '2026-04-15', observedOn: '2026-04-16', endedOn: null, durationDays: 10 },
    ]);
    expect(evidenceTypes(findings[0], recorded(cddiEndedOn16March))).toEqual(['EmploymentContractEnded']);
  });

  it('is silent on day 30 and fires on day 31', () => {
    expect(r8(recorded(cddiEndedOn16March), '2026-04-15')).toEqual([]);
    expect(r8(recorded(cddiEndedOn16March), '2026-04-16').map((finding) => finding.durationDays)).toEqual([1]);
  });

  it.each<[string, ParcoursEvent]>([
    ['another employment contract', employmentContractStarted({ contractId: 'cdd-2', kind: 'CDD', employerPartnerId: null, employerSiret: '12345678901234', structureKind: null, startsOn: '2026-04-15', plannedEndOn: '2026-10-14' })],
    ['an engagement contract signed', engagementContractSigned({ signedOn: '2026-04-15', startsOn: '2026-04-15', endsOn: '2026-10-14' })],
    ['an action prescribed', actionPrescribed({ kind: 'training', prescribedOn: '2026-04-15' })],
    ['the exit', exited({ exitedOn: '2026-04-15', category: 'sortie_positive', reason: 'qualifying_training' })],
  ])('%s on day 30 is a next step in time', (_, nextStep) => {
    expect(r8(recorded([...cddiEndedOn16March, nextStep]), '2026-12-31')).toEqual([]);
  });

  it('an action prescribed on day 31 closes a one-day breach', () => {
    const lateAction = recorded([...cddiEndedOn16March, actionPrescribed({ kind: 'training', prescribedOn: '2026-04-16' })]);
    const [finding] = r8(lateAction, '2026-12-31');
    expect(summary(finding)).toEqual({ ruleId: 'R8', severity: 'breach', status: 'closed', dueOn: '2026-04-15', observedOn: '2026-04-16', endedOn: '2026-04-16', durationDays: 1 });
    expect(evidenceTypes(finding, lateAction)).toEqual(['EmploymentContractEnded', 'ActionPrescribed']);
  });

  it('contacts, appointments and the progress of an older action are not next steps', () => {
    const followedButStuck = recorded([
      ...aParcoursWithACddiRunning,
      actionPrescribed({ prescribedOn: '2026-03-05' }),
      employmentContractEnded({ endedOn: '2026-03-16' }),
      contactRecorded({ contactedOn: '2026-03-20' }),
      appointmentRecorded({ scheduledOn: '2026-04-01' }),
      actionStatusChanged({ status: 'started', changedOn: '2026-04-02' }),
    ]);
    expect(r8(followedButStuck, '2026-04-16').map((finding) => finding.severity)).toEqual(['breach']);
  });

  it('a next step recorded before the end, on the same day, counts', () => {
    const sameDay = recorded([...aParcoursWithACddiRunning, actionPrescribed({ prescribedOn: '2026-03-16' }), employmentContractEnded({ endedOn: '2026-03-16' })]);
    expect(r8(sameDay, '2026-12-31')).toEqual([]);
  });

  it('a contract that ends after an emploi_durable exit starts nothing', () => {
    const exitedToACdiThenCddiEnded = recorded([
      ...aParcoursWithACddiRunning,
      exited({ exitedOn: '2026-03-15', category: 'emploi_durable', reason: 'cdi' }),
      employmentContractEnded({ endedOn: '2026-03-16', reason: 'hired_permanent' }),
    ]);
    expect(r8(exitedToACdiThenCddiEnded, '2026-12-31')).toEqual([]);
  });

  it('a suspension from 20 March to 20 April pushes the deadline by its 31 days', () => {
    const suspendedAfterTheEnd = recorded([...cddiEndedOn16March, suspended({ suspendedOn: '2026-03-20', reason: 'appointment_missed' }), resumed('2026-04-20')]);
    expect(r8(suspendedAfterTheEnd, '2026-05-16')).toEqual([]);
    const [finding] = r8(suspendedAfterTheEnd, '2026-05-17');
    expect(summary(finding)).toEqual({ ruleId: 'R8', severity: 'breach', status: 'open', dueOn: '2026-05-16', observedOn: '2026-05-17', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, suspendedAfterTheEnd)).toEqual(['EmploymentContractEnded', 'ParcoursSuspended', 'ParcoursResumed']);
  });

  it('an exit after the breach closes it on the exit date', () => {
    const exitedOn30April = recorded([...cddiEndedOn16March, exited({ exitedOn: '2026-04-30', category: 'autre', reason: 'no_longer_reachable' })]);
    expect(r8(exitedOn30April, '2026-12-31').map((finding) => [finding.status, finding.endedOn, finding.durationDays])).toEqual([['closed', '2026-04-30', 15]]);
  });

  it('a restriction of processing from 20 March to 20 April pushes the deadline by its 31 days, as a suspension would', () => {
    const restrictedAfterTheEnd = recorded([...cddiEndedOn16March, ...restrictedFromTo('2026-03-20', '2026-04-20')]);
    expect(r8(restrictedAfterTheEnd, '2026-05-16')).toEqual([]);
    const [finding] = r8(restrictedAfterTheEnd, '2026-05-17');
    expect(summary(finding)).toEqual({ ruleId: 'R8', severity: 'breach', status: 'open', dueOn: '2026-05-16', observedOn: '2026-05-17', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, restrictedAfterTheEnd)).toEqual(['EmploymentContractEnded', 'ProcessingRestricted', 'ProcessingRestrictionLifted']);
  });

  it('an opposition from 20 March to 20 April moves nothing: the deadline stays on 15 April', () => {
    expect(r8(recorded([...cddiEndedOn16March, ...opposedFromTo('2026-03-20', '2026-04-20')]), '2026-04-16').map((finding) => finding.dueOn)).toEqual(['2026-04-15']);
  });

  it('an archive after the breach closes it on the archive date; before it, leaves nothing', () => {
    const archivedOn30April = recorded([...cddiEndedOn16March, archived({ archivedOn: '2026-04-30', lastActivityOn: '2026-03-16' })]);
    expect(r8(archivedOn30April, '2026-12-31').map((finding) => [finding.status, finding.endedOn, finding.durationDays])).toEqual([['closed', '2026-04-30', 15]]);
    expect(r8(recorded([...cddiEndedOn16March, archived({ archivedOn: '2026-04-01', lastActivityOn: '2026-03-16' })]), '2026-12-31')).toEqual([]);
  });
});
