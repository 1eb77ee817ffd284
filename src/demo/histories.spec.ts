import { type DemoHistory, demoHistory } from './histories.js';
import { SeededRandom } from './random.js';

function histories(seed: number, count: number, today = '2026-12-07'): DemoHistory[] {
  const rng = new SeededRandom(seed);
  const keys = { taken: new Set<string>() };
  // A stand-in for the cipher: what is sealed does not change the history.
  const sealer = { seal: () => ({ ciphertext: 'v1.AAAA.BBBB' }) };
  return Array.from({ length: count }, () => demoHistory({ parcoursId: rng.uuid(), rng, today, keys, sealer }));
}

describe('demo histories', () => {
  const generated = histories(2021, 400);
  const events = generated.flatMap((history) => history.events);

  it('are decided by the parcours decider without a single refusal', () => {
    expect(generated.flatMap((history) => history.refused)).toEqual([]);
  });

  it('are the same for the same seed and the same day, and differ for another seed', () => {
    const again = histories(2021, 50);
    expect(again.map((history) => history.events)).toEqual(generated.slice(0, 50).map((history) => history.events));
    expect(histories(7, 5).map((history) => history.parcoursId)).not.toEqual(generated.slice(0, 5).map((history) => history.parcoursId));
  });

  it('date every fact in the past, from 2021, with business dates as occurredAt', () => {
    const dates = events.map((event) => event.metadata.occurredAt);
    expect(dates.every((date) => /^\d{4}-\d{2}-\d{2}$/.test(date) && date >= '2021-01-04' && date <= '2026-12-07')).toBe(true);
    expect(new Set(dates.map((date) => date.slice(0, 4)))).toEqual(new Set(['2021', '2022', '2023', '2024', '2025', '2026']));
  });

  it('hold the contracts and exits the reports count: PEC, CDDI in each kind of SIAE, CDI in the EBE, CER/PPAE then CE', () => {
    const started = events.filter((event) => event.type === 'EmploymentContractStarted').map((event) => event.data as { kind: string; structureKind: string | null });
    expect(new Set(started.map((contract) => `${contract.kind}:${contract.structureKind}`))).toEqual(
      new Set(['PEC:null', 'CDDI:ACI', 'CDDI:EI', 'CDDI:ETTI', 'CDDI:AI', 'CDI_EBE:EBE', 'CDD:null', 'INTERIM:null', 'CDI:null']),
    );
    const signed = events.filter((event) => event.type === 'EngagementContractSigned').map((event) => event.data as { kind: string; signedOn: string });
    expect(signed.some((contract) => contract.kind === 'CER' && contract.signedOn < '2025-01-01')).toBe(true);
    expect(signed.some((contract) => contract.kind === 'PPAE' && contract.signedOn < '2025-01-01')).toBe(true);
    expect(signed.some((contract) => contract.kind === 'CE' && contract.signedOn >= '2025-01-01')).toBe(true);
    const types = new Set(events.map((event) => event.type));
    for (const type of ['ParcoursExited', 'ParcoursReopened', 'ParcoursSuspended', 'ParcoursResumed', 'ReorientationDecided', 'ReferentReleased', 'FranceTravailRegistered', 'ActionStatusChanged']) expect(types).toContain(type);
    expect(generated.some((history) => history.state.status === 'open') && generated.some((history) => history.state.status === 'exited')).toBe(true);
  });

  it('name every person once (one open parcours per person)', () => {
    const nirs = generated.map((history) => history.identity.nir).filter((nir) => nir !== null && nir !== undefined);
    expect(new Set(nirs).size).toBe(nirs.length);
  });
});
