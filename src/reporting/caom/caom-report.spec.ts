import { isUnder26On } from '../../parcours/domain/age.js';
import type { CaomContractFact } from './caom-facts.js';
import { type CaomPolicy, policyForYear, shippedCaomPolicies } from './caom-policy.js';
import { CAOM_CSV_HEADER, caomReportToCsvRows } from './caom-csv.js';
import { computeCaomReport, type EiLine, type PecLine } from './caom-report.js';
import { excelCsvText } from '../../kernel/csv.js';

/*
 * Scenarios on the default policy (CAOM 2021 Puy-de-Dôme), year 2021. Figures used below:
 * - PEC: 497,50 € = 49 750 cents per contract and month; a full year = 12 × 49 750 = 597 000 cents
 *   (5 970,00 €); envelopes of 105 000 € = 10 500 000 cents each, minimum 26 h/week;
 * - ACI: 3 306 € = 330 600 cents per full-time equivalent (35 h);
 * - EI: 1 000 € = 100 000 cents from the 7th month, ceiling 10 000 € = 1 000 000 cents;
 * - EBE: 180 000 € = 18 000 000 cents.
 */

const THIERS = 'cc-thiers-dore-et-montagne';
const AMBERT = 'cc-ambert-livradois-forez';
const POLICY = policyForYear(shippedCaomPolicies(), 2021, '63');

let sequence = 0;

/** A full-year 2021 PEC of 26 h for an RSA-socle beneficiary aged 26 or more, unless told otherwise. */
function contract(overrides: Partial<CaomContractFact> = {}): CaomContractFact {
  sequence += 1;
  return {
    parcoursId: `parcours-${sequence}`,
    contractId: `contract-${sequence}`,
    kind: 'PEC',
    structureKind: null,
    weeklyHours: 26,
    startsOn: '2021-01-01',
    plannedEndOn: '2021-12-31',
    endedOn: null,
    rsaSocleAtStart: true,
    beneficiaryUnder26AtStart: false,
    territory: THIERS,
    employerPartnerId: 'employer-1',
    employerSiret: null,
    recordedOrder: sequence,
    ...overrides,
  };
}

function cddi(structureKind: 'ACI' | 'EI', overrides: Partial<CaomContractFact> = {}): CaomContractFact {
  return contract({ kind: 'CDDI', structureKind, ...overrides });
}

function ebeHire(overrides: Partial<CaomContractFact> = {}): CaomContractFact {
  return contract({ kind: 'CDI_EBE', structureKind: 'EBE', weeklyHours: 35, plannedEndOn: null, ...overrides });
}

function lineOf<Line extends { contractId: string }>(lines: readonly Line[], fact: CaomContractFact): Line {
  const line = lines.find((candidate) => candidate.contractId === fact.contractId);
  if (line === undefined) throw new Error(`no line for ${fact.contractId}`);
  return line;
}

function withPolicy(change: (volets: CaomPolicy['volets']) => CaomPolicy['volets']): CaomPolicy {
  return { ...POLICY, volets: change(POLICY.volets) };
}

describe('computeCaomReport — PEC', () => {
  it('refuses a PEC of 20 h/week (hours_below_minimum) and commits nothing for it', () => {
    const twentyHours = contract({ weeklyHours: 20 });

    const report = computeCaomReport([twentyHours], POLICY, 2021);

    // Would have been 12 months × 49 750 = 597 000 cents; 20 h < 26 h, so refused.
    expect(lineOf(report.pec.lines, twentyHours)).toMatchObject({
      status: 'refused',
      reason: 'hours_below_minimum',
      requestedCents: 597_000,
      committedCents: 0,
    });
    expect(report.pec.envelopes.hors_jeunes).toMatchObject({ fundedCount: 0, refusedCount: 1, committedCents: 0, remainingCents: 10_500_000 });
    expect(report.pec.envelopes.hors_jeunes.refusedByReason.hours_below_minimum).toBe(1);
  });

  it('funds a PEC of exactly 26 h/week: the minimum is inclusive', () => {
    const exactly26 = contract({ weeklyHours: 26 });
    const just25AndAHalf = contract({ weeklyHours: 25.5 });

    const report = computeCaomReport([exactly26, just25AndAHalf], POLICY, 2021);

    expect(lineOf(report.pec.lines, exactly26).status).toBe('funded');
    expect(lineOf(report.pec.lines, just25AndAHalf).reason).toBe('hours_below_minimum');
  });

  it('refuses a PEC for a beneficiary not on the RSA socle (not_rsa_socle), a reason that comes before the hours', () => {
    const notSocle = contract({ rsaSocleAtStart: false });
    const notSocleAndShort = contract({ rsaSocleAtStart: false, weeklyHours: 20 });

    const report = computeCaomReport([notSocle, notSocleAndShort], POLICY, 2021);

    expect(lineOf(report.pec.lines, notSocle)).toMatchObject({ status: 'refused', reason: 'not_rsa_socle', committedCents: 0 });
    expect(lineOf(report.pec.lines, notSocleAndShort)).toMatchObject({ status: 'refused', reason: 'not_rsa_socle' });
    expect(report.pec.envelopes.hors_jeunes.refusedByReason).toEqual({ not_rsa_socle: 2, hours_below_minimum: 0, envelope_exhausted: 0 });
  });

  it('prorates partial calendar months by their days and rounds once per contract', () => {
    const midMonth = contract({ startsOn: '2021-03-15', plannedEndOn: '2021-09-14' });

    const report = computeCaomReport([midMonth], POLICY, 2021);

    // 15–31 March = 17/31, April–August = 5, 1–14 September = 14/30:
    // 5 + 17/31 + 14/30 = (5×930 + 17×30 + 14×31)/930 = 5 594/930 months (≈ 6,015);
    // 49 750 × 5 594 / 930 = 299 248,92… → 299 249 cents = 2 992,49 €.
    expect(lineOf(report.pec.lines, midMonth)).toMatchObject({
      status: 'funded',
      periodInYear: { from: '2021-03-15', to: '2021-09-14' },
      monthsInYear: 6.02,
      committedCents: 299_249,
    });
    expect(report.pec.envelopes.hors_jeunes.remainingCents).toBe(10_500_000 - 299_249);
  });

  it('stops the funding at the actual end when earlier, and at the planned end when the contract went on', () => {
    const endedEarly = contract({ endedOn: '2021-04-30' });
    const wentOn = contract({ plannedEndOn: '2021-06-30', endedOn: '2021-08-31' });

    const report = computeCaomReport([endedEarly, wentOn], POLICY, 2021);

    // January–April = 4 months × 49 750 = 199 000; January–June = 6 × 49 750 = 298 500.
    expect(lineOf(report.pec.lines, endedEarly)).toMatchObject({ committedCents: 199_000, periodInYear: { from: '2021-01-01', to: '2021-04-30' } });
    expect(lineOf(report.pec.lines, wentOn)).toMatchObject({ committedCents: 298_500, periodInYear: { from: '2021-01-01', to: '2021-06-30' } });
  });

  it('counts a contract started the previous year for its months within the year only', () => {
    const carriedOver = contract({ startsOn: '2020-10-01', plannedEndOn: '2021-03-31' });
    const carriedOverEndedMidFebruary = contract({ startsOn: '2020-11-01', plannedEndOn: '2021-06-30', endedOn: '2021-02-14' });

    const report = computeCaomReport([carriedOver, carriedOverEndedMidFebruary], POLICY, 2021);

    // January–March 2021 = 3 × 49 750 = 149 250 (October–December 2020 belong to 2020's envelope).
    expect(lineOf(report.pec.lines, carriedOver)).toMatchObject({ periodInYear: { from: '2021-01-01', to: '2021-03-31' }, committedCents: 149_250 });
    // January + 14/28 of February = 1,5 months × 49 750 = 74 625.
    expect(lineOf(report.pec.lines, carriedOverEndedMidFebruary).committedCents).toBe(74_625);
  });

  it('refuses the jeunes contract that does not fit (envelope_exhausted) while hors jeunes still funds, and later smaller contracts still fit', () => {
    // 18 full-year jeunes PEC starting on 1 January, recorded in order 1..18, given out of order.
    const jeunes = Array.from({ length: 18 }, (_, index) => contract({ beneficiaryUnder26AtStart: true, recordedOrder: 1_000 + index }));
    const lastRecorded = jeunes[17]!;
    // Recorded before all the others but starting in November: first come is by start date.
    const novemberJeune = contract({ beneficiaryUnder26AtStart: true, startsOn: '2021-11-01', plannedEndOn: '2021-12-31', recordedOrder: 1 });
    const horsJeunes = contract({ beneficiaryUnder26AtStart: false, recordedOrder: 2_000 });

    const report = computeCaomReport([lastRecorded, novemberJeune, ...jeunes.slice(0, 17), horsJeunes], POLICY, 2021);

    // 17 × 597 000 = 10 149 000 committed; 10 500 000 − 10 149 000 = 351 000 left < 597 000:
    // the 18th (by recording order, same start date) is refused whole, not partly funded.
    expect(lineOf(report.pec.lines, lastRecorded)).toMatchObject({ status: 'refused', reason: 'envelope_exhausted', requestedCents: 597_000, committedCents: 0 });
    for (const funded of jeunes.slice(0, 17)) expect(lineOf(report.pec.lines, funded).status).toBe('funded');
    // November–December = 2 × 49 750 = 99 500 ≤ 351 000: funded; 351 000 − 99 500 = 251 500 left.
    expect(lineOf(report.pec.lines, novemberJeune)).toMatchObject({ status: 'funded', committedCents: 99_500 });
    expect(report.pec.envelopes.jeunes).toMatchObject({
      fundedCount: 18,
      refusedCount: 1,
      committedCents: 10_248_500,
      envelopeCommittedCents: 10_248_500,
      remainingCents: 251_500,
    });
    expect(report.pec.envelopes.jeunes.refusedByReason.envelope_exhausted).toBe(1);
    // The other envelope is untouched by the jeunes: 10 500 000 − 597 000 = 9 903 000.
    expect(lineOf(report.pec.lines, horsJeunes)).toMatchObject({ status: 'funded', envelope: 'hors_jeunes', committedCents: 597_000 });
    expect(report.pec.envelopes.hors_jeunes.remainingCents).toBe(9_903_000);
    expect(report.pec).toMatchObject({ fundedCount: 19, refusedCount: 1, committedCents: 10_248_500 + 597_000 });
    // Lines come in first-come-first-served order.
    expect(report.pec.lines.map((line) => line.contractId)).toEqual([...jeunes, horsJeunes, novemberJeune].map((fact) => fact.contractId));
  });

  it('puts a beneficiary turning 26 during the year in the envelope of their age at contract start', () => {
    // Born 10 June 1995: 25 on 1 February 2021, 26 from 10 June 2021.
    const birthDate = '1995-06-10';
    const beforeBirthday = contract({ startsOn: '2021-02-01', plannedEndOn: '2021-07-31', beneficiaryUnder26AtStart: isUnder26On(birthDate, '2021-02-01') });
    const afterBirthday = contract({ startsOn: '2021-09-01', plannedEndOn: '2021-12-31', beneficiaryUnder26AtStart: isUnder26On(birthDate, '2021-09-01') });

    const report = computeCaomReport([beforeBirthday, afterBirthday], POLICY, 2021);

    // February–July = 6 × 49 750 = 298 500 from jeunes, although the beneficiary is 26 from June;
    // September–December = 4 × 49 750 = 199 000 from hors jeunes.
    expect(lineOf(report.pec.lines, beforeBirthday)).toMatchObject({ envelope: 'jeunes', status: 'funded', committedCents: 298_500 });
    expect(lineOf(report.pec.lines, afterBirthday)).toMatchObject({ envelope: 'hors_jeunes', status: 'funded', committedCents: 199_000 });
    expect(report.pec.envelopes.jeunes.committedCents).toBe(298_500);
    expect(report.pec.envelopes.hors_jeunes.committedCents).toBe(199_000);
  });
});

describe('computeCaomReport — ACI', () => {
  it('prorates a part-time CDDI by weekly hours / 35, rounding half up to the cent, capped at full time', () => {
    const h24 = cddi('ACI', { startsOn: '2021-03-01', plannedEndOn: '2022-02-28', weeklyHours: 24 });
    const h26 = cddi('ACI', { startsOn: '2021-04-01', plannedEndOn: '2021-09-30', weeklyHours: 26 });
    const h35 = cddi('ACI', { startsOn: '2021-05-01', plannedEndOn: '2021-10-31', weeklyHours: 35 });
    const h39 = cddi('ACI', { startsOn: '2021-06-01', plannedEndOn: '2021-11-30', weeklyHours: 39 });
    const halfTime = cddi('ACI', { startsOn: '2021-07-01', plannedEndOn: '2021-12-31', weeklyHours: 17.5 });

    const report = computeCaomReport([h24, h26, h35, h39, halfTime], POLICY, 2021);

    // 330 600 × 24/35 = 226 697,14… → 226 697 cents = 2 266,97 €.
    // The equivalent is exact: 24/35, not 0.69.
    expect(lineOf(report.aci.lines, h24)).toMatchObject({ status: 'funded', committedCents: 226_697, fullTimeEquivalent: 24 / 35 });
    // 330 600 × 26/35 = 245 588,57… → 245 589 cents = 2 455,89 €.
    expect(lineOf(report.aci.lines, h26).committedCents).toBe(245_589);
    expect(lineOf(report.aci.lines, h35).committedCents).toBe(330_600);
    // 39 h counts as one full-time equivalent, not 39/35.
    expect(lineOf(report.aci.lines, h39)).toMatchObject({ committedCents: 330_600, fullTimeEquivalent: 1 });
    // 330 600 × 17,5/35 = 165 300 exactly.
    expect(lineOf(report.aci.lines, halfTime).committedCents).toBe(165_300);
    // 226 697 + 245 589 + 330 600 + 330 600 + 165 300 = 1 298 786;
    // (24 + 26 + 35 + 35 + 17,5) / 35 = 137,5/35 = 3,928…, kept exact (3,93 is for display).
    expect(report.aci).toMatchObject({ fundedCount: 5, committedCents: 1_298_786, fullTimeEquivalents: 137.5 / 35, refusedCount: 0 });
    expect(report.rounding.money).toContain('half up to the cent');
  });

  it('keeps the exact full-time equivalents of 81 hours (issue 14: 2.31 was a rounding)', () => {
    const lines = [27, 27, 27].map((weeklyHours, index) => cddi('ACI', { startsOn: `2021-0${index + 3}-01`, plannedEndOn: '2021-12-31', weeklyHours }));
    const report = computeCaomReport(lines, POLICY, 2021);
    expect(report.aci.fullTimeEquivalents).toBe(81 / 35);
    expect(report.aci.fullTimeEquivalents).not.toBe(2.31);
  });

  it('rounds an exact half cent up', () => {
    const oneCentPerFte = withPolicy((volets) => ({ ...volets, aci: { ...volets.aci, amountPerFullTimeEquivalentCents: 1 } }));
    const halfTime = cddi('ACI', { startsOn: '2021-07-01', weeklyHours: 17.5 });

    // 1 × 17,5/35 = 0,5 cent → 1 cent.
    expect(computeCaomReport([halfTime], oneCentPerFte, 2021).aci.lines[0]?.committedCents).toBe(1);
  });

  it('counts a hire in the year of its start, whatever its length', () => {
    const hiredOnNewYearsEve2020 = cddi('ACI', { startsOn: '2020-12-31', plannedEndOn: '2021-06-30', weeklyHours: 35 });
    const hiredOnNewYearsEve2021 = cddi('ACI', { startsOn: '2021-12-31', plannedEndOn: '2022-06-30', weeklyHours: 35 });
    const endedAfterAWeek = cddi('ACI', { startsOn: '2021-03-01', plannedEndOn: '2021-08-31', endedOn: '2021-03-07', weeklyHours: 35 });

    const report = computeCaomReport([hiredOnNewYearsEve2020, hiredOnNewYearsEve2021, endedAfterAWeek], POLICY, 2021);

    expect(report.aci.lines.map((line) => line.contractId)).toEqual([endedAfterAWeek.contractId, hiredOnNewYearsEve2021.contractId]);
    expect(report.aci.committedCents).toBe(2 * 330_600);
  });

  it('refuses non-RSA-socle hires only when the policy asks for the RSA socle', () => {
    const notSocle = cddi('ACI', { startsOn: '2021-03-01', weeklyHours: 35, rsaSocleAtStart: false });
    const socleRequired = withPolicy((volets) => ({ ...volets, aci: { ...volets.aci, rsaSocleRequired: true } }));

    expect(computeCaomReport([notSocle], POLICY, 2021).aci.lines[0]).toMatchObject({ status: 'funded', committedCents: 330_600 });
    expect(computeCaomReport([notSocle], socleRequired, 2021).aci).toMatchObject({
      committedCents: 0,
      refusedCount: 1,
      lines: [expect.objectContaining({ status: 'refused', reason: 'not_rsa_socle', requestedCents: 330_600, committedCents: 0 })],
    });
  });
});

describe('computeCaomReport — EI', () => {
  it('does not fund the 11th premium beyond the 10 000 € ceiling (ceiling_reached)', () => {
    // Eleven CDDI starting 4..14 January 2021: their 7th month starts 4..14 July 2021.
    const eleven = Array.from({ length: 11 }, (_, index) =>
      cddi('EI', { startsOn: `2021-01-${String(4 + index).padStart(2, '0')}`, plannedEndOn: '2021-12-31', recordedOrder: 100 - index }),
    );
    // Due first (1 July) but ineligible: consumes nothing of the ceiling.
    const notSocle = cddi('EI', { startsOn: '2021-01-01', plannedEndOn: '2021-12-31', rsaSocleAtStart: false });

    const report = computeCaomReport([...eleven].reverse().concat(notSocle), POLICY, 2021);

    // 10 × 100 000 = 1 000 000 = the ceiling; the 11th (due 14 July) finds 0 left.
    eleven.slice(0, 10).forEach((fact, index) =>
      expect(lineOf(report.ei.lines, fact)).toMatchObject({ status: 'funded', committedCents: 100_000, premiumDueOn: `2021-07-${String(4 + index).padStart(2, '0')}` }),
    );
    expect(lineOf(report.ei.lines, eleven[10]!)).toMatchObject({ status: 'not_funded', reason: 'ceiling_reached', requestedCents: 100_000, committedCents: 0 });
    expect(lineOf(report.ei.lines, notSocle)).toMatchObject({ status: 'refused', reason: 'not_rsa_socle', committedCents: 0 });
    expect(report.ei).toMatchObject({ fundedCount: 10, notFundedCount: 1, refusedCount: 1, committedCents: 1_000_000, remainingCents: 0 });
    // Ordered by due date.
    expect(report.ei.lines.map((line) => line.contractId)).toEqual([notSocle, ...eleven].map((fact) => fact.contractId));
  });

  it('gives no premium to a CDDI ended in its 5th month', () => {
    // Start 15 December 2020: month 5 runs 15 April – 14 May 2021, month 7 starts 15 June 2021.
    const endedInFifthMonth = cddi('EI', { startsOn: '2020-12-15', plannedEndOn: '2021-12-14', endedOn: '2021-04-30' });

    const report = computeCaomReport([endedInFifthMonth], POLICY, 2021);

    expect(report.ei.lines).toEqual([
      expect.objectContaining({ premiumDueOn: '2021-06-15', status: 'refused', reason: 'ends_before_premium_month', committedCents: 0 }) as EiLine,
    ]);
    expect(report.ei).toMatchObject({ fundedCount: 0, committedCents: 0, remainingCents: 1_000_000 });
  });

  it('pays the premium when the contract is still running on the first day of its 7th month, not the day before', () => {
    const endedOnDueDate = cddi('EI', { startsOn: '2021-01-04', plannedEndOn: '2021-12-31', endedOn: '2021-07-04' });
    const endedTheDayBefore = cddi('EI', { startsOn: '2021-01-04', plannedEndOn: '2021-12-31', endedOn: '2021-07-03' });
    const plannedForFourMonths = cddi('EI', { startsOn: '2021-02-01', plannedEndOn: '2021-05-31' });

    const report = computeCaomReport([endedOnDueDate, endedTheDayBefore, plannedForFourMonths], POLICY, 2021);

    expect(lineOf(report.ei.lines, endedOnDueDate).status).toBe('funded');
    expect(lineOf(report.ei.lines, endedTheDayBefore).reason).toBe('ends_before_premium_month');
    expect(lineOf(report.ei.lines, plannedForFourMonths).reason).toBe('ends_before_premium_month');
  });

  it('counts the premium in the year the 7th month starts, a missing day giving the last day of the month', () => {
    // 31 August 2021 + 6 months: there is no 31 February, so the 7th month starts on 28 February 2022.
    const startedEndOfAugust = cddi('EI', { startsOn: '2021-08-31', plannedEndOn: '2022-08-30' });

    expect(computeCaomReport([startedEndOfAugust], POLICY, 2021).ei.lines).toEqual([]);
    expect(computeCaomReport([startedEndOfAugust], POLICY, 2022).ei.lines).toEqual([
      expect.objectContaining({ premiumDueOn: '2022-02-28', status: 'funded', committedCents: 100_000 }) as EiLine,
    ]);
  });
});

describe('computeCaomReport — EBE', () => {
  it('lists the beneficiaries hired in EBE during the year beside the 180 000 € participation', () => {
    const march = ebeHire({ startsOn: '2021-03-01' });
    const september = ebeHire({ startsOn: '2021-09-15', rsaSocleAtStart: false });
    const hiredIn2020 = ebeHire({ startsOn: '2020-06-01' });
    const endedIn2020 = ebeHire({ startsOn: '2020-02-01', endedOn: '2020-11-30' });
    const hiredIn2022 = ebeHire({ startsOn: '2022-01-10' });

    const report = computeCaomReport([september, hiredIn2022, march, hiredIn2020, endedIn2020], POLICY, 2021);

    expect(report.ebe).toMatchObject({
      participationCents: 18_000_000,
      recipient: 'Association gestionnaire des deux EBE de Thiers (TZCLD)',
      hiresCount: 2,
      // March, September and the 2020 hire still employed; not the one ended in 2020.
      activeContractsCount: 3,
    });
    expect(report.ebe.lines).toEqual([
      expect.objectContaining({ contractId: march.contractId, status: 'hired', startsOn: '2021-03-01', endsOn: null, rsaSocleAtStart: true }),
      expect.objectContaining({ contractId: september.contractId, status: 'hired', rsaSocleAtStart: false }),
    ]);
  });
});

describe('computeCaomReport — scope', () => {
  it('leaves out the contracts of another year in every volet', () => {
    const pec2020 = contract({ startsOn: '2020-01-01', plannedEndOn: '2020-12-31' });
    const pec2022 = contract({ startsOn: '2022-01-03', plannedEndOn: '2022-12-31' });
    const pecEndedIn2020 = contract({ startsOn: '2020-06-01', plannedEndOn: '2021-05-31', endedOn: '2020-12-31' });
    const aci2020 = cddi('ACI', { startsOn: '2020-05-04', plannedEndOn: '2021-05-03' });
    const ei2020 = cddi('EI', { startsOn: '2020-01-06', plannedEndOn: '2021-01-05' });
    const pec2021 = contract();

    const report = computeCaomReport([pec2020, pec2022, pecEndedIn2020, aci2020, ei2020, pec2021], POLICY, 2021);

    expect(report.pec.lines.map((line) => line.contractId)).toEqual([pec2021.contractId]);
    expect(report.aci.lines).toEqual([]);
    expect(report.ei.lines).toEqual([]);
    expect(report.pec.envelopes.hors_jeunes.remainingCents).toBe(10_500_000 - 597_000);
  });

  it('narrows the lines to a territory while the envelope stays départemental', () => {
    // 17 full-year jeunes in Thiers take 10 149 000; the 18th, in Ambert and recorded last, is refused.
    const thiers = Array.from({ length: 17 }, () => contract({ beneficiaryUnder26AtStart: true }));
    const ambert = contract({ beneficiaryUnder26AtStart: true, territory: AMBERT });

    const report = computeCaomReport([...thiers, ambert], POLICY, 2021, { territory: AMBERT });

    expect(report.territory).toBe(AMBERT);
    expect(report.pec.lines).toEqual([expect.objectContaining({ contractId: ambert.contractId, status: 'refused', reason: 'envelope_exhausted' }) as PecLine]);
    expect(report.pec.envelopes.jeunes).toMatchObject({
      fundedCount: 0,
      refusedCount: 1,
      committedCents: 0,
      envelopeCommittedCents: 10_149_000,
      remainingCents: 351_000,
    });
  });

  it('refuses a policy that is not in force in the year', () => {
    const only2021: CaomPolicy = { ...POLICY, validTo: '2021-12-31' };

    expect(() => computeCaomReport([], only2021, 2022)).toThrow(/not in force in 2022/);
  });

  it('refuses a malformed fact rather than leaving a contract out silently', () => {
    expect(() => computeCaomReport([contract({ startsOn: '2021-02-30' })], POLICY, 2021)).toThrow(/malformed: startsOn "2021-02-30"/);
  });
});

describe('caomReportToCsvRows', () => {
  const refusedPec = contract({ contractId: 'pec-20h', weeklyHours: 20 });
  const fundedPec = contract({ contractId: 'pec-mid-march', beneficiaryUnder26AtStart: true, startsOn: '2021-03-15', plannedEndOn: '2021-09-14' });
  const aci24 = cddi('ACI', { contractId: 'aci-24h', startsOn: '2021-03-01', plannedEndOn: '2022-02-28', weeklyHours: 24 });
  const ei = cddi('EI', { contractId: 'ei-1', startsOn: '2021-01-04', plannedEndOn: '2021-12-31', weeklyHours: 17.5 });
  const ebe = ebeHire({ contractId: 'ebe-1', startsOn: '2021-03-01' });
  const rows = caomReportToCsvRows(computeCaomReport([refusedPec, fundedPec, aci24, ei, ebe], POLICY, 2021));

  it('starts with French headers', () => {
    expect(rows[0]).toEqual([...CAOM_CSV_HEADER]);
    expect(rows[0]?.join(';')).toBe(
      "Volet;Enveloppe;Contrat;Territoire;Date de début;Date de fin;Heures hebdomadaires;Mois retenus dans l'année;Échéance de la prime;Montant calculé (€);Montant engagé (€);Statut;Motif",
    );
  });

  it('writes amounts with a comma decimal separator, French dates and French labels', () => {
    const row = (contractId: string) => rows.find((candidate) => candidate[2] === contractId);

    expect(row('pec-20h')).toEqual(['PEC', 'Hors jeunes', 'pec-20h', THIERS, '01/01/2021', '31/12/2021', '20', '12', '', '5970,00', '0,00', 'Refusé', 'Moins de 26 h hebdomadaires']);
    // 299 249 cents (see the proration test).
    expect(row('pec-mid-march')).toEqual([
      'PEC',
      'Jeunes (moins de 26 ans au début du contrat)',
      'pec-mid-march',
      THIERS,
      '15/03/2021',
      '14/09/2021',
      '26',
      '6,02',
      '',
      '2992,49',
      '2992,49',
      'Financé',
      '',
    ]);
    expect(row('aci-24h')).toEqual(['ACI', '', 'aci-24h', THIERS, '01/03/2021', '28/02/2022', '24', '', '', '2266,97', '2266,97', 'Financé', '']);
    expect(row('ei-1')).toEqual(['EI', '', 'ei-1', THIERS, '04/01/2021', '31/12/2021', '17,5', '', '04/07/2021', '1000,00', '1000,00', 'Financé', '']);
    expect(row('ebe-1')).toEqual(['EBE', '', 'ebe-1', THIERS, '01/03/2021', '', '35', '', '', '', '', 'Embauche en EBE', '']);
    expect(rows.at(-1)).toEqual([
      'EBE',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '180000,00',
      '180000,00',
      'Financé',
      'Participation annuelle : Association gestionnaire des deux EBE de Thiers (TZCLD)',
    ]);
    expect(rows).toHaveLength(1 + 5 + 1);
  });

  it('labels the EI reasons in French', () => {
    const eiRows = caomReportToCsvRows(
      computeCaomReport(
        [cddi('EI', { contractId: 'ei-short', startsOn: '2021-01-04', endedOn: '2021-05-20' }), cddi('EI', { contractId: 'ei-not-socle', startsOn: '2021-01-04', rsaSocleAtStart: false })],
        POLICY,
        2021,
      ),
    );

    expect(eiRows.find((row) => row[2] === 'ei-short')?.slice(-2)).toEqual(['Refusé', 'Contrat terminé avant le 7e mois']);
    expect(eiRows.find((row) => row[2] === 'ei-not-socle')?.slice(-2)).toEqual(['Refusé', 'Non bénéficiaire du RSA socle au début du contrat']);
  });

  it('joins into a CSV text Excel FR opens: BOM, `;`, CRLF, quoted separators, no formula', () => {
    const text = excelCsvText([
      ['Volet', 'Motif'],
      ['EI', 'Plafond; atteint'],
      ['=cmd', 'dit "non"'],
    ]);

    expect(text).toBe('\uFEFFVolet;Motif\r\nEI;"Plafond; atteint"\r\n\'=cmd;"dit ""non"""\r\n');
  });
});
