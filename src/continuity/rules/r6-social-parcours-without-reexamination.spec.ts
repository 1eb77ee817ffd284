import type { BarrierKind } from '../../parcours/domain/events.js';
import {
  appointmentRecorded,
  archived,
  diagnosed,
  exited,
  opened,
  oriented,
  reopened,
  reorientationAccepted,
  reorientationRejected,
  reorientationRequested,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, recorded, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { socialParcoursWithoutReexamination } from './r6-social-parcours-without-reexamination.js';

const r6 = (events: Parameters<typeof socialParcoursWithoutReexamination>[0], asOf: string) =>
  socialParcoursWithoutReexamination(events, asOf, DEFAULT_POLICY);

const NO_BARRIER = { mobility: 'none', family: 'none', health: 'none', literacy: 'none', housing: 'none', finances: 'none', administrative: 'none', digital: 'none', language: 'none' } as const;

// The fixture's diagnostic of 20 January rates mobility and digital strong, health medium: no documented vulnerability.
describe('R6 — social parcours without a re-examination', () => {
  const socialSince8February = [opened(), diagnosed(), oriented({ parcoursType: 'social' })] as const;

  it('a social orientation of 8 February is due for re-examination by 8 August', () => {
    expect(r6(recorded(socialSince8February), '2026-08-08')).toEqual([]);
    const [finding] = r6(recorded(socialSince8February), '2026-08-09');
    expect(summary(finding)).toEqual({ ruleId: 'R6', severity: 'breach', status: 'open', dueOn: '2026-08-08', observedOn: '2026-08-09', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, recorded(socialSince8February))).toEqual(['OrientationDecided']);
    expect(finding.policy.thresholds).toEqual({ breachAfterMonths: 6, breachAfterMonthsWithVulnerabilities: 12 });
  });

  it.each<BarrierKind>(['health', 'housing', 'family'])('a strong %s barrier in the latest diagnostic documents vulnerabilities: 12 months', (kind) => {
    const vulnerable = recorded([opened(), diagnosed({ barriers: { ...NO_BARRIER, [kind]: 'strong' } }), oriented({ parcoursType: 'social' })]);
    expect(r6(vulnerable, '2027-02-08')).toEqual([]);
    const [finding] = r6(vulnerable, '2027-02-09');
    expect(summary(finding)).toEqual({ ruleId: 'R6', severity: 'breach', status: 'open', dueOn: '2027-02-08', observedOn: '2027-02-09', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, vulnerable)).toEqual(['OrientationDecided', 'DiagnosticRecorded']);
  });

  it('a medium barrier, or a strong one of another kind, does not', () => {
    const notVulnerable = recorded([opened(), diagnosed({ barriers: { ...NO_BARRIER, health: 'medium', finances: 'strong', language: 'strong' } }), oriented({ parcoursType: 'social' })]);
    expect(r6(notVulnerable, '2026-08-09').map((finding) => finding.dueOn)).toEqual(['2026-08-08']);
  });

  it('a new diagnostic on 1 June re-examines the parcours: the next one is due by 1 December', () => {
    const rediagnosedOn1June = recorded([...socialSince8February, diagnosed({ diagnosedOn: '2026-06-01' })]);
    expect(r6(rediagnosedOn1June, '2026-12-01')).toEqual([]);
    const [finding] = r6(rediagnosedOn1June, '2026-12-02');
    expect(summary(finding)).toEqual({ ruleId: 'R6', severity: 'breach', status: 'open', dueOn: '2026-12-01', observedOn: '2026-12-02', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, rediagnosedOn1June)).toEqual(['DiagnosticRecorded']);
  });

  it('a re-examination that documents a strong housing barrier gives the next one 12 months', () => {
    const rediagnosedVulnerable = recorded([...socialSince8February, diagnosed({ diagnosedOn: '2026-06-01', barriers: { ...NO_BARRIER, housing: 'strong' } })]);
    expect(r6(rediagnosedVulnerable, '2027-06-02').map((finding) => finding.dueOn)).toEqual(['2027-06-01']);
  });

  it('a reorientation request decided "current orientation suitable" is a re-examination', () => {
    const reviewedOn12March = recorded([...socialSince8February, reorientationRequested({ reason: 'periodic_review', proposedParcoursType: null }), reorientationRejected('2026-03-12')]);
    expect(r6(reviewedOn12March, '2026-09-12')).toEqual([]);
    expect(r6(reviewedOn12March, '2026-09-13').map((finding) => finding.dueOn)).toEqual(['2026-09-12']);
  });

  it('a re-examination on 20 August closes a breach of 12 days', () => {
    const reexaminedLate = recorded([...socialSince8February, diagnosed({ diagnosedOn: '2026-08-20' })]);
    expect(r6(reexaminedLate, '2026-09-30').map(summary)).toEqual([
      { ruleId: 'R6', severity: 'breach', status: 'closed', dueOn: '2026-08-08', observedOn: '2026-08-09', endedOn: '2026-08-20', durationDays: 12 },
    ]);
  });

  it('appointments, even monthly, are the accompaniment, not a re-examination', () => {
    const followedMonthly = recorded([
      ...socialSince8February,
      ...['2026-03-10', '2026-04-10', '2026-05-10', '2026-06-10', '2026-07-10', '2026-08-07'].map((scheduledOn, index) =>
        appointmentRecorded({ appointmentId: `a${index}`, scheduledOn }),
      ),
    ]);
    expect(r6(followedMonthly, '2026-08-09').map((finding) => finding.observedOn)).toEqual(['2026-08-09']);
  });

  it('does not apply to other parcours types, nor after a reorientation out of the social type', () => {
    expect(r6(recorded([opened(), diagnosed(), oriented({ parcoursType: 'socio_professionnel' })]), '2027-12-31')).toEqual([]);
    const reorientedTowardsEmploi = recorded([...socialSince8February, reorientationRequested(), reorientationAccepted({ parcoursType: 'emploi', decidedOn: '2026-05-01' })]);
    expect(r6(reorientedTowardsEmploi, '2027-12-31')).toEqual([]);
  });

  it('starts when a reorientation makes the parcours social', () => {
    const reorientedTowardsSocialOn12March = recorded([
      opened(),
      oriented({ parcoursType: 'socio_professionnel' }),
      reorientationRequested({ reason: 'new_barriers', proposedParcoursType: 'social' }),
      reorientationAccepted({ parcoursType: 'social', decidedOn: '2026-03-12' }),
    ]);
    expect(r6(reorientedTowardsSocialOn12March, '2026-09-13').map((finding) => [finding.dueOn, finding.evidence.eventIds[0]])).toEqual([['2026-09-12', 'e4']]);
  });

  it('keeps running through a suspension: the re-examination is the institution’s duty', () => {
    expect(r6(recorded([...socialSince8February, suspended({ suspendedOn: '2026-03-05' })]), '2026-08-09').map((finding) => finding.observedOn)).toEqual(['2026-08-09']);
  });

  it('an exit closes it; a social parcours reopened on 1 October is due for re-examination by 1 April', () => {
    const exitedThenReopened = recorded([
      ...socialSince8February,
      exited({ exitedOn: '2026-09-01', category: 'autre', reason: 'rsa_rights_closed' }),
      reopened({ reopenedOn: '2026-10-01', reason: 'rsa_rights_reopened' }),
    ]);
    expect(r6(exitedThenReopened, '2027-04-02').map(summary)).toEqual([
      { ruleId: 'R6', severity: 'breach', status: 'closed', dueOn: '2026-08-08', observedOn: '2026-08-09', endedOn: '2026-09-01', durationDays: 24 },
      { ruleId: 'R6', severity: 'breach', status: 'open', dueOn: '2027-04-01', observedOn: '2027-04-02', endedOn: null, durationDays: 1 },
    ]);
  });

  it('keeps running through a restriction of processing, and stops at the archive, closing the break on its date', () => {
    const restricted = recorded([...socialSince8February, ...restrictedFromTo('2026-07-01', '2026-07-31')]);
    expect(r6(restricted, '2026-08-09').map((finding) => finding.observedOn)).toEqual(['2026-08-09']);
    const archivedOn20August = recorded([...socialSince8February, archived({ archivedOn: '2026-08-20', lastActivityOn: '2026-02-08' })]);
    const [finding] = r6(archivedOn20August, '2027-12-31');
    expect(summary(finding)).toEqual({ ruleId: 'R6', severity: 'breach', status: 'closed', dueOn: '2026-08-08', observedOn: '2026-08-09', endedOn: '2026-08-20', durationDays: 12 });
    expect(evidenceTypes(finding, archivedOn20August)).toEqual(['OrientationDecided', 'ParcoursArchived']);
  });

  it('an archive before the due date leaves nothing, even audited long after', () => {
    expect(r6(recorded([...socialSince8February, archived({ archivedOn: '2026-06-01', lastActivityOn: '2026-02-08' })]), '2028-12-31')).toEqual([]);
  });
});
