import { aParcoursFollowedByClaire, engagementContractEnded, engagementContractSigned, exited } from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, recorded, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { engagementContractWithoutActivityHours } from './r11-engagement-contract-without-activity-hours.js';

const r11 = (events: Parameters<typeof engagementContractWithoutActivityHours>[0], asOf: string) => engagementContractWithoutActivityHours(events, asOf, DEFAULT_POLICY);

// The contrat d'engagement of the fixtures is signed on 20 February 2026.
describe('R11 — contrat d’engagement without its weekly activity hours', () => {
  it('given 15 hours, then nothing', () => {
    expect(r11(recorded([...aParcoursFollowedByClaire, engagementContractSigned()]), '2026-06-30')).toEqual([]);
  });

  it('given 6 hours and no reason, then an open breach from the signature, the contract as evidence', () => {
    const events = recorded([...aParcoursFollowedByClaire, engagementContractSigned({ weeklyActivityHours: 6 })]);
    const [finding] = r11(events, '2026-03-01');
    expect(summary(finding)).toEqual({ ruleId: 'R11', severity: 'breach', status: 'open', dueOn: '2026-02-19', observedOn: '2026-02-20', endedOn: null, durationDays: 10 });
    expect(evidenceTypes(finding, events)).toEqual(['EngagementContractSigned']);
  });

  it('given 6 hours reduced for a coded reason, or 0 hours exempted, then nothing', () => {
    expect(r11(recorded([...aParcoursFollowedByClaire, engagementContractSigned({ weeklyActivityHours: 6, activityHoursAdjustment: { kind: 'reduced', reason: 'health' } })]), '2026-06-30')).toEqual([]);
    expect(r11(recorded([...aParcoursFollowedByClaire, engagementContractSigned({ weeklyActivityHours: 0, activityHoursAdjustment: { kind: 'exempted', reason: 'disability' } })]), '2026-06-30')).toEqual([]);
  });

  it('given a CEJ of 6 hours, then nothing: only the contrat d’engagement carries the duty', () => {
    expect(r11(recorded([...aParcoursFollowedByClaire, engagementContractSigned({ kind: 'CEJ', weeklyActivityHours: 6 })]), '2026-06-30')).toEqual([]);
  });

  it('closes when the contract ends (replaced by one that states its hours) or at the exit', () => {
    const replaced = recorded([
      ...aParcoursFollowedByClaire,
      engagementContractSigned({ weeklyActivityHours: 6 }),
      engagementContractEnded({ endedOn: '2026-03-10', reason: 'replaced' }),
      engagementContractSigned({ contractId: '0d1e2f30-4152-4637-8849-5a6b7c8d9e0f', signedOn: '2026-03-11', startsOn: '2026-03-11' }),
    ]);
    expect(r11(replaced, '2026-06-30').map(summary)).toEqual([
      { ruleId: 'R11', severity: 'breach', status: 'closed', dueOn: '2026-02-19', observedOn: '2026-02-20', endedOn: '2026-03-10', durationDays: 19 },
    ]);
    const exitedOn15March = recorded([...aParcoursFollowedByClaire, engagementContractSigned({ weeklyActivityHours: 6 }), exited({ exitedOn: '2026-03-15' })]);
    expect(r11(exitedOn15March, '2026-06-30').map((finding) => [finding.status, finding.endedOn])).toEqual([['closed', '2026-03-15']]);
  });
});
