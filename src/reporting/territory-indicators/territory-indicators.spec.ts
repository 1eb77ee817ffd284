import type { ParcoursEvent, ParcoursType } from '../../parcours/domain/events.js';
import { aParcoursExitedOn15March, PARCOURS_ID, personalDataErased } from '../../parcours/domain/parcours.fixtures.js';
import { project, recorded } from '../../projections/recorded.fixtures.js';
import { excelCsvText } from '../../kernel/csv.js';
import { type ExitFact, type ParcoursFacts, territoryIndicatorsProjection } from './territory-indicators.projection.js';
import { factsOfAParcoursOpenedOn5January } from './territory-indicators.fixtures.js';
import {
  computeTerritoryIndicators,
  MAX_MONTHS,
  nearestRank,
  TERRITORY_INDICATORS_CSV_HEADER,
  type TerritoryIndicatorRow,
  territoryIndicatorsCsvText,
  territoryIndicatorsToCsvRows,
} from './territory-indicators.js';

const THIERS = 'cc-thiers-dore-et-montagne';
const AMBERT = 'cc-ambert-livradois-forez';
const BILLOM = 'cc-billom-communaute';
const FRANCE_TRAVAIL = 'partner-france-travail';
const DEPARTEMENT = 'partner-departement';

let sequence = 0;

/** A parcours of Thiers entered on 2026-01-05, with nothing else, unless told otherwise; each its own id. */
function parcours(overrides: Partial<ParcoursFacts> = {}): ParcoursFacts {
  sequence += 1;
  return factsOfAParcoursOpenedOn5January({ parcoursId: `parcours-${sequence}`, ...overrides });
}

function orientation(decidedOn: string, parcoursType: ParcoursType = 'emploi', organismeReferentId = FRANCE_TRAVAIL): ParcoursFacts['orientation'] {
  return { decidedOn, parcoursType, organismeReferentId };
}

function exit(exitedOn: string, reopenedOn: string | null = null, category: ExitFact['category'] = 'emploi_durable'): ExitFact {
  return { category, exitedOn, reopenedOn, reopenReason: reopenedOn === null ? null : 'rsa_rights_reopened' };
}

function row(rows: readonly TerritoryIndicatorRow[], territory: string, month: string): TerritoryIndicatorRow {
  const found = rows.find((candidate) => candidate.territory === territory && candidate.month === month);
  if (found === undefined) throw new Error(`no row for ${territory} ${month}`);
  return found;
}

/** The document the projection builds from a fixture stream. */
function projected(events: readonly ParcoursEvent[]): ParcoursFacts {
  const doc = project(territoryIndicatorsProjection.reduce, recorded(PARCOURS_ID, events));
  if (doc === null) throw new Error('no document');
  return doc;
}

describe('nearestRank', () => {
  it('takes the value of rank ⌈p × n / 100⌉, an observed value, never an interpolation', () => {
    // n = 4: median rank ⌈2⌉ = 2 (the lower middle value), p90 rank ⌈3.6⌉ = 4.
    expect(nearestRank([10, 20, 30, 40], 50)).toBe(20);
    expect(nearestRank([10, 20, 30, 40], 90)).toBe(40);
    // n = 10: median rank 5, p90 rank 9 exactly (no rounding up of 9.000…).
    const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(oneToTen, 50)).toBe(5);
    expect(nearestRank(oneToTen, 90)).toBe(9);
    // n = 11: median rank ⌈5.5⌉ = 6, p90 rank ⌈9.9⌉ = 10.
    expect(nearestRank([...oneToTen, 11], 50)).toBe(6);
    expect(nearestRank([...oneToTen, 11], 90)).toBe(10);
    // n = 6: p90 rank ⌈5.4⌉ = 6, the maximum (rounding to the nearest rank would give the 5th).
    expect(nearestRank([1, 2, 3, 4, 5, 6], 90)).toBe(6);
    expect(nearestRank([7], 50)).toBe(7);
    expect(nearestRank([7], 90)).toBe(7);
    expect(nearestRank([3, 8], 100)).toBe(8);
  });

  it('gives null without values and refuses a percentile outside ]0, 100]', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(() => nearestRank([1], 0)).toThrow(RangeError);
    expect(() => nearestRank([1], 101)).toThrow(RangeError);
  });
});

describe('computeTerritoryIndicators', () => {
  describe('entries and orientations of Thiers, January to March 2026', () => {
    const population = [
      parcours({ entryOn: '2026-01-31', orientation: orientation('2026-02-10', 'emploi', FRANCE_TRAVAIL) }), // 10 days
      parcours({ entryOn: '2026-01-05', orientation: orientation('2026-02-14', 'emploi', FRANCE_TRAVAIL) }), // oriented 40 days after entry
      parcours({ entryOn: '2026-02-01', orientation: orientation('2026-02-21', 'socio_professionnel', DEPARTEMENT) }), // 20 days
      parcours({ entryOn: '2026-01-29', orientation: orientation('2026-02-28', 'socio_professionnel', FRANCE_TRAVAIL) }), // 30 days
      // 1 Dec → 1 Jan 31 days, → 1 Feb 31 days, → 28 Feb 27 days: 89.
      parcours({ entryOn: '2025-12-01', orientation: orientation('2026-02-28', 'social', DEPARTEMENT) }),
      parcours({ entryOn: '2026-02-15' }), // not oriented yet
      parcours({ entryOn: '2026-03-01', orientation: orientation('2026-03-05', 'social', DEPARTEMENT) }), // 4 days, in March
    ];
    const rows = computeTerritoryIndicators(population, { from: '2026-01', to: '2026-03' });

    it('counts entries in the month of entryOn', () => {
      expect(rows.map((r) => [r.month, r.entries])).toEqual([
        ['2026-01', 3],
        ['2026-02', 2],
        ['2026-03', 1],
      ]);
    });

    it('counts first orientations by type and by organisme référent in the month of the decision', () => {
      const february = row(rows, THIERS, '2026-02');
      expect(february.orientationsByType).toEqual({ emploi: 2, socio_professionnel: 2, social: 1 });
      expect(february.orientationsByOrganismeReferent).toEqual({ [DEPARTEMENT]: 2, [FRANCE_TRAVAIL]: 3 });
      expect(row(rows, THIERS, '2026-01').orientationsByType).toEqual({ emploi: 0, socio_professionnel: 0, social: 0 });
      expect(row(rows, THIERS, '2026-01').orientationsByOrganismeReferent).toEqual({});
      expect(row(rows, THIERS, '2026-03').orientationsByOrganismeReferent).toEqual({ [DEPARTEMENT]: 1 });
    });

    it('gives the median and p90 of the entry→orientation delays of the parcours oriented in the month', () => {
      // February, sorted: [10, 20, 30, 40, 89]; n = 5, median rank ⌈2.5⌉ = 3 → 30, p90 rank ⌈4.5⌉ = 5 → 89.
      expect(row(rows, THIERS, '2026-02').delayEntryToOrientationDays).toEqual({ median: 30, p90: 89, count: 5 });
      expect(row(rows, THIERS, '2026-03').delayEntryToOrientationDays).toEqual({ median: 4, p90: 4, count: 1 });
      expect(row(rows, THIERS, '2026-01').delayEntryToOrientationDays).toEqual({ median: null, p90: null, count: 0 });
    });
  });

  it('gives the orientation→first accompaniment delays in the month of the first accompaniment', () => {
    const population = [
      parcours({ orientation: orientation('2026-01-20'), firstAccompanimentOn: '2026-02-03' }), // 14 days, February
      parcours({ orientation: orientation('2026-02-01'), firstAccompanimentOn: '2026-02-05' }), // 4 days, February
      parcours({ orientation: orientation('2026-02-10'), firstAccompanimentOn: '2026-03-02' }), // 20 days, March
      parcours({ orientation: orientation('2026-01-10'), firstAccompanimentOn: '2026-02-26' }), // 47 days, February
      parcours({ orientation: orientation('2026-02-20'), firstAccompanimentOn: '2026-02-20' }), // 0 days, February
      parcours({ orientation: orientation('2026-02-20') }), // not seen yet
    ];
    const rows = computeTerritoryIndicators(population, { from: '2026-02', to: '2026-03' });

    // February, sorted: [0, 4, 14, 47]; n = 4, median rank 2 → 4, p90 rank ⌈3.6⌉ = 4 → 47.
    expect(row(rows, THIERS, '2026-02').delayOrientationToFirstAccompanimentDays).toEqual({ median: 4, p90: 47, count: 4 });
    expect(row(rows, THIERS, '2026-03').delayOrientationToFirstAccompanimentDays).toEqual({ median: 20, p90: 20, count: 1 });
  });

  describe('open at month end, with a référent, with a valid engagement contract (28 February 2026)', () => {
    const withReferentAndContract = parcours({
      referentPeriods: [{ assignedOn: '2026-01-20', releasedOn: null }],
      engagementContracts: [{ contractId: 'ce', kind: 'CE', startsOn: '2026-02-01', endsOn: '2026-07-31', endedOn: null }],
    });
    const referentReleasedOnTheLastDay = parcours({
      entryOn: '2026-02-10',
      referentPeriods: [{ assignedOn: '2026-02-12', releasedOn: '2026-02-28' }],
      // Signed ahead of its start: not valid yet.
      engagementContracts: [{ contractId: 'ce', kind: 'CE', startsOn: '2026-03-01', endsOn: '2026-08-31', endedOn: null }],
    });
    const handedOverAndContractEndingOnTheLastDay = parcours({
      entryOn: '2026-01-10',
      referentPeriods: [
        { assignedOn: '2026-01-15', releasedOn: '2026-02-28' },
        { assignedOn: '2026-02-28', releasedOn: null },
      ],
      engagementContracts: [{ contractId: 'cer', kind: 'CER', startsOn: '2026-01-15', endsOn: '2026-02-28', endedOn: null }],
    });
    const exitedOnTheLastDay = parcours({
      referentPeriods: [{ assignedOn: '2026-01-20', releasedOn: '2026-02-28' }],
      exits: [exit('2026-02-28')],
      status: 'exited',
    });
    const exitedThenReopenedOnTheLastDay = parcours({ exits: [exit('2026-02-10', '2026-02-28')] });
    const enteredInMarch = parcours({ entryOn: '2026-03-02' });
    const exitedInFebruaryReopenedInMarch = parcours({ exits: [exit('2026-02-20', '2026-03-05')] });
    const withAContractEndedEarly = parcours({
      referentPeriods: [{ assignedOn: '2026-01-20', releasedOn: null }],
      engagementContracts: [{ contractId: 'cer', kind: 'CER', startsOn: '2026-01-20', endsOn: '2026-06-30', endedOn: '2026-02-15' }],
    });
    const contractEndedOnTheLastDay = parcours({
      engagementContracts: [{ contractId: 'cer', kind: 'CER', startsOn: '2026-01-20', endsOn: '2026-06-30', endedOn: '2026-02-28' }],
    });
    const suspended = parcours({ status: 'suspended' });
    const population = [
      withReferentAndContract,
      referentReleasedOnTheLastDay,
      handedOverAndContractEndingOnTheLastDay,
      exitedOnTheLastDay,
      exitedThenReopenedOnTheLastDay,
      enteredInMarch,
      exitedInFebruaryReopenedInMarch,
      withAContractEndedEarly,
      contractEndedOnTheLastDay,
      suspended,
    ];
    const rows = computeTerritoryIndicators(population, { from: '2026-02', to: '2026-03' });

    it('counts the parcours entered by then and not exited, a same-day reopening included, a suspension not an exit', () => {
      // Open on 28 February: withReferentAndContract, referentReleasedOnTheLastDay, handedOver…, exitedThenReopenedOnTheLastDay,
      // withAContractEndedEarly, contractEndedOnTheLastDay, suspended = 7. Not: exitedOnTheLastDay, enteredInMarch,
      // exitedInFebruaryReopenedInMarch.
      expect(row(rows, THIERS, '2026-02').openAtMonthEnd).toBe(7);
      // 31 March: the 7, plus enteredInMarch and exitedInFebruaryReopenedInMarch = 9.
      expect(row(rows, THIERS, '2026-03').openAtMonthEnd).toBe(9);
    });

    it('shares those with a référent in charge at the end of the day: a release that day is none, a handover that day is one', () => {
      // withReferentAndContract, handedOver…, withAContractEndedEarly: 3 of 7 = 0.42857… → 0.429.
      const february = row(rows, THIERS, '2026-02');
      expect(february.withReferentAtMonthEnd).toBe(3);
      expect(february.shareWithReferent).toBe(0.429);
    });

    it('shares those with an engagement contract in force that day: started, not past its term nor its actual end', () => {
      // withReferentAndContract, handedOver… (its term is the 28th), contractEndedOnTheLastDay (`endedOn` is the last day
      // covered): 3 of 7 = 0.429. Not withAContractEndedEarly (15 February) nor referentReleasedOnTheLastDay (starts 1 March).
      const february = row(rows, THIERS, '2026-02');
      expect(february.withValidEngagementContractAtMonthEnd).toBe(3);
      expect(february.shareWithValidEngagementContract).toBe(0.429);
      // 31 March: withReferentAndContract and referentReleasedOnTheLastDay: 2 of 9 = 0.2222… → 0.222.
      expect(row(rows, THIERS, '2026-03').shareWithValidEngagementContract).toBe(0.222);
    });

    it('rounds shares half up to three decimals', () => {
      // 1 of 8 open = 0.125 exactly; 1 of 2000 would be 0.0005 → 0.001.
      const oneInEight = [parcours({ referentPeriods: [{ assignedOn: '2026-01-06', releasedOn: null }] }), ...Array.from({ length: 7 }, () => parcours())];
      expect(row(computeTerritoryIndicators(oneInEight, { from: '2026-01', to: '2026-01' }), THIERS, '2026-01').shareWithReferent).toBe(0.125);
      const oneIn2000 = [parcours({ referentPeriods: [{ assignedOn: '2026-01-06', releasedOn: null }] }), ...Array.from({ length: 1999 }, () => parcours())];
      expect(row(computeTerritoryIndicators(oneIn2000, { from: '2026-01', to: '2026-01' }), THIERS, '2026-01').shareWithReferent).toBe(0.001);
      const twoInThree = [parcours({ referentPeriods: [{ assignedOn: '2026-01-06', releasedOn: null }] }), parcours({ referentPeriods: [{ assignedOn: '2026-01-06', releasedOn: null }] }), parcours()];
      expect(row(computeTerritoryIndicators(twoInThree, { from: '2026-01', to: '2026-01' }), THIERS, '2026-01').shareWithReferent).toBe(0.667);
    });
  });

  it('counts employment contracts by kind at their start, exits by category, accepted reorientations by decision month', () => {
    const population = [
      parcours({
        employmentContracts: [
          { kind: 'CDDI', startsOn: '2026-02-02' },
          { kind: 'CDI', startsOn: '2026-03-16' },
        ],
        exits: [exit('2026-03-20', null, 'emploi_durable')],
      }),
      parcours({ employmentContracts: [{ kind: 'PEC', startsOn: '2026-02-15' }], exits: [exit('2026-02-28', '2026-03-10', 'emploi_transition')] }),
      parcours({ employmentContracts: [{ kind: 'CDI_EBE', startsOn: '2026-02-01' }], exits: [exit('2026-02-20', null, 'sortie_positive')] }),
      parcours({
        orientation: orientation('2026-01-10'),
        reorientations: [
          { decidedOn: '2026-02-12', parcoursType: 'social', organismeReferentId: DEPARTEMENT },
          { decidedOn: '2026-03-01', parcoursType: 'emploi', organismeReferentId: FRANCE_TRAVAIL },
        ],
        exits: [exit('2026-03-30', null, 'autre')],
      }),
    ];
    const rows = computeTerritoryIndicators(population, { from: '2026-02', to: '2026-03' });
    const february = row(rows, THIERS, '2026-02');
    const march = row(rows, THIERS, '2026-03');

    expect(february.employmentContractsStartedByKind).toEqual({ PEC: 1, CDDI: 1, CDI_EBE: 1, CDI: 0, CDD: 0, INTERIM: 0, OTHER: 0 });
    expect(march.employmentContractsStartedByKind).toEqual({ PEC: 0, CDDI: 0, CDI_EBE: 0, CDI: 1, CDD: 0, INTERIM: 0, OTHER: 0 });
    // An exit later undone by a reopening still happened: it counts in its month.
    expect(february.exitsByCategory).toEqual({ emploi_durable: 0, emploi_transition: 1, sortie_positive: 1, autre: 0 });
    expect(march.exitsByCategory).toEqual({ emploi_durable: 1, emploi_transition: 0, sortie_positive: 0, autre: 1 });
    // Reorientations are not orientations: the January orientation is not counted again.
    expect([february.reorientations, march.reorientations]).toEqual([1, 1]);
    expect(february.orientationsByType).toEqual({ emploi: 0, socio_professionnel: 0, social: 0 });
  });

  it('ignores an exit recorded in error: it neither counts nor closes the parcours', () => {
    const inError = parcours({ exits: [{ category: 'emploi_durable', exitedOn: '2026-02-10', reopenedOn: '2026-03-05', reopenReason: 'exit_recorded_in_error' }] });
    const realExit = parcours({ exits: [exit('2026-02-10', '2026-03-05')] });

    const [withErrorFebruary] = computeTerritoryIndicators([inError], { from: '2026-02', to: '2026-02' });
    expect(withErrorFebruary).toMatchObject({ openAtMonthEnd: 1, exitsByCategory: { emploi_durable: 0 } });
    const [realFebruary] = computeTerritoryIndicators([realExit], { from: '2026-02', to: '2026-02' });
    expect(realFebruary).toMatchObject({ openAtMonthEnd: 0, exitsByCategory: { emploi_durable: 1 } });
  });

  it('no longer counts open a parcours archived without an exit, from its archive date', () => {
    const archived = parcours({ entryOn: '2024-01-08', archivedOn: '2026-02-15' });
    const rows = computeTerritoryIndicators([archived], { from: '2026-01', to: '2026-03' });
    expect(rows.map((r) => [r.month, r.openAtMonthEnd])).toEqual([
      ['2026-01', 1],
      ['2026-02', 0],
      ['2026-03', 0],
    ]);
  });

  describe('rows', () => {
    const population = [
      parcours({ territory: THIERS, entryOn: '2026-02-03' }),
      parcours({ territory: AMBERT, entryOn: '2026-01-12', exits: [exit('2026-01-30', null, 'autre')], status: 'exited' }),
      // Billom has a parcours, entered after the range: its months are all zeros, but they are there.
      parcours({ territory: BILLOM, entryOn: '2026-06-01' }),
    ];

    it('gives every month of the range for every territory with a parcours, sorted by territory then month, quiet months with zeros', () => {
      const rows = computeTerritoryIndicators(population, { from: '2026-01', to: '2026-04' });

      expect(rows.map((r) => `${r.territory} ${r.month}`)).toEqual([
        `${AMBERT} 2026-01`,
        `${AMBERT} 2026-02`,
        `${AMBERT} 2026-03`,
        `${AMBERT} 2026-04`,
        `${BILLOM} 2026-01`,
        `${BILLOM} 2026-02`,
        `${BILLOM} 2026-03`,
        `${BILLOM} 2026-04`,
        `${THIERS} 2026-01`,
        `${THIERS} 2026-02`,
        `${THIERS} 2026-03`,
        `${THIERS} 2026-04`,
      ]);
      expect(row(rows, AMBERT, '2026-01')).toMatchObject({ entries: 1, openAtMonthEnd: 0, exitsByCategory: { autre: 1 } });
      expect(row(rows, AMBERT, '2026-03')).toEqual({
        territory: AMBERT,
        month: '2026-03',
        entries: 0,
        orientationsByType: { emploi: 0, socio_professionnel: 0, social: 0 },
        orientationsByOrganismeReferent: {},
        reorientations: 0,
        delayEntryToOrientationDays: { median: null, p90: null, count: 0 },
        delayOrientationToFirstAccompanimentDays: { median: null, p90: null, count: 0 },
        openAtMonthEnd: 0,
        withReferentAtMonthEnd: 0,
        withValidEngagementContractAtMonthEnd: 0,
        shareWithReferent: null,
        shareWithValidEngagementContract: null,
        employmentContractsStartedByKind: { PEC: 0, CDDI: 0, CDI_EBE: 0, CDI: 0, CDD: 0, INTERIM: 0, OTHER: 0 },
        exitsByCategory: { emploi_durable: 0, emploi_transition: 0, sortie_positive: 0, autre: 0 },
        byRegimeAtMonthEnd: {
          spie_2021: { open: 0, withReferent: 0, withValidEngagementContract: 0 },
          transition: { open: 0, withReferent: 0, withValidEngagementContract: 0 },
          plein_emploi: { open: 0, withReferent: 0, withValidEngagementContract: 0 },
        },
        transitionParcours: 0,
        transitionWithContratEngagement: 0,
        shareTransitionWithContratEngagement: null,
      });
      // Thiers: nothing in January, open from February on, with nobody in charge.
      expect(row(rows, THIERS, '2026-01')).toMatchObject({ entries: 0, openAtMonthEnd: 0, shareWithReferent: null });
      expect(row(rows, THIERS, '2026-04')).toMatchObject({ entries: 0, openAtMonthEnd: 1, shareWithReferent: 0, shareWithValidEngagementContract: 0 });
    });

    it('crosses a year end', () => {
      const rows = computeTerritoryIndicators([parcours({ entryOn: '2025-12-31' })], { from: '2025-11', to: '2026-02' });
      expect(rows.map((r) => [r.month, r.entries, r.openAtMonthEnd])).toEqual([
        ['2025-11', 0, 0],
        ['2025-12', 1, 1],
        ['2026-01', 0, 1],
        ['2026-02', 0, 1],
      ]);
    });

    it('keeps only the territory asked for, and nothing for a territory without parcours', () => {
      const rows = computeTerritoryIndicators(population, { from: '2026-01', to: '2026-02', territory: AMBERT });
      expect(rows.map((r) => [r.territory, r.month, r.entries])).toEqual([
        [AMBERT, '2026-01', 1],
        [AMBERT, '2026-02', 0],
      ]);
      expect(computeTerritoryIndicators(population, { from: '2026-01', to: '2026-02', territory: 'cc-entre-dore-et-allier' })).toEqual([]);
    });

    it('gives nothing without documents', () => {
      expect(computeTerritoryIndicators([], { from: '2026-01', to: '2026-12' })).toEqual([]);
    });
  });

  it('still counts a parcours whose personal data were erased: statistics survive erasure', () => {
    const erased = projected([...aParcoursExitedOn15March, personalDataErased()]);
    const notErased = projected(aParcoursExitedOn15March);
    expect(erased.personalDataErased).toBe(true);

    const query = { from: '2026-01', to: '2026-03' } as const;
    const rows = computeTerritoryIndicators([erased], query);
    expect(rows).toEqual(computeTerritoryIndicators([notErased], query));
    // Entered 5 January, oriented 8 February (34 days), Claire and a CER on 28 February, exited to a CDI on 15 March.
    expect(rows.map((r) => [r.month, r.entries, r.delayEntryToOrientationDays.median, r.openAtMonthEnd, r.shareWithReferent, r.shareWithValidEngagementContract, r.exitsByCategory.emploi_durable])).toEqual([
      ['2026-01', 1, null, 1, 0, 0, 0],
      ['2026-02', 0, 34, 1, 1, 1, 0],
      ['2026-03', 0, null, 0, null, null, 1],
    ]);
  });

  it('keeps a partner id named like an Object property as a plain key', () => {
    const [january] = computeTerritoryIndicators([parcours({ orientation: orientation('2026-01-20', 'emploi', '__proto__') })], { from: '2026-01', to: '2026-01' });
    expect(Object.keys(january!.orientationsByOrganismeReferent)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(january!.orientationsByOrganismeReferent)).toBe(Object.prototype);
  });

  it('refuses a range that is not two months in order, or longer than the guard', () => {
    expect(() => computeTerritoryIndicators([], { from: '2026-1', to: '2026-03' })).toThrow(/from must be a month YYYY-MM/);
    expect(() => computeTerritoryIndicators([], { from: '2026-01', to: '2026-13' })).toThrow(/to must be a month YYYY-MM/);
    expect(() => computeTerritoryIndicators([], { from: '2026-03', to: '2026-01' })).toThrow(/before/);
    expect(() => computeTerritoryIndicators([], { from: '2000-01', to: '2099-12' })).toThrow(new RegExp(`at most ${MAX_MONTHS} months`));
  });

  it('counts every one of 20 000 parcours over two years, each fact in its month', () => {
    const territories = [THIERS, AMBERT, BILLOM, 'cc-entre-dore-et-allier'];
    const docs = Array.from({ length: 20_000 }, (_, index) => {
      const month = String((index % 12) + 1).padStart(2, '0');
      const day = String((index % 28) + 1).padStart(2, '0');
      return parcours({
        territory: territories[index % territories.length],
        entryOn: `2025-${month}-${day}`,
        orientation: orientation(`2026-${month}-${day}`, 'emploi', `partner-${index % 7}`),
        firstAccompanimentOn: `2026-${month}-28`,
        referentPeriods: [{ assignedOn: `2026-${month}-${day}`, releasedOn: null }],
        engagementContracts: [{ contractId: 'ce', kind: 'CE', startsOn: `2026-${month}-${day}`, endsOn: `2026-12-31`, endedOn: null }],
        employmentContracts: [{ kind: 'PEC', startsOn: `2026-${month}-${day}` }],
        exits: index % 3 === 0 ? [exit(`2026-${month}-28`, null, 'emploi_durable')] : [],
      });
    });

    const rows = computeTerritoryIndicators(docs, { from: '2025-01', to: '2026-12' });

    expect(rows).toHaveLength(4 * 24);
    const total = (pick: (r: TerritoryIndicatorRow) => number): number => rows.reduce((sum, r) => sum + pick(r), 0);
    expect(total((r) => r.entries)).toBe(20_000);
    expect(total((r) => r.delayEntryToOrientationDays.count)).toBe(20_000);
    expect(total((r) => r.employmentContractsStartedByKind.PEC)).toBe(20_000);
    expect(total((r) => r.exitsByCategory.emploi_durable)).toBe(Math.ceil(20_000 / 3));
  });
});

describe('territoryIndicatorsToCsvRows', () => {
  const rows = computeTerritoryIndicators(
    [
      parcours({
        entryOn: '2026-01-05',
        orientation: orientation('2026-02-14', 'emploi', FRANCE_TRAVAIL),
        firstAccompanimentOn: '2026-02-20',
        referentPeriods: [{ assignedOn: '2026-02-16', releasedOn: null }],
        employmentContracts: [{ kind: 'INTERIM', startsOn: '2026-02-23' }],
      }),
      parcours({ entryOn: '2026-02-02', orientation: orientation('2026-02-20', 'social', DEPARTEMENT) }),
      parcours({ entryOn: '2026-02-03' }),
    ],
    { from: '2026-02', to: '2026-02' },
  );

  it('writes French headers, then one homogeneous row per territory and month', () => {
    const csv = territoryIndicatorsToCsvRows(rows, { partnerLabels: new Map([[FRANCE_TRAVAIL, 'France Travail Thiers']]) });

    expect(csv[0]).toEqual([...TERRITORY_INDICATORS_CSV_HEADER, 'Orientations vers France Travail Thiers', `Orientations vers ${DEPARTEMENT}`]);
    expect(csv[0]?.slice(0, 9)).toEqual([
      'EPCI',
      'Mois',
      'Entrées',
      'Orientations emploi',
      'Orientations socio-professionnelles',
      'Orientations sociales',
      'Réorientations acceptées',
      'Délai entrée→orientation médian (j)',
      'Délai entrée→orientation p90 (j)',
    ]);
    // Delays entry→orientation [18, 40]: median rank 1 → 18, p90 rank ⌈1.8⌉ = 2 → 40. One seen, 6 days after.
    // Open on 28 February: 3, one with a référent: 0,333.
    expect(csv[1]).toEqual([
      THIERS,
      '02/2026',
      '2',
      '1',
      '0',
      '1',
      '0',
      '18',
      '40',
      '2',
      '6',
      '6',
      '1',
      '3',
      '1',
      '0,333',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '1',
      '0',
      '0',
      '0',
      '0',
      '0',
      // By regime on 28 February 2026: the 3 open parcours under the plein-emploi law, 1 with a référent.
      '0',
      '0',
      '3',
      '0',
      '0',
      '1',
      '0',
      '0',
      '0',
      // None open on 1 January 2025.
      '0',
      '0',
      '',
      '1',
      '1',
    ]);
    expect(csv.every((line) => line.length === csv[0]?.length)).toBe(true);
  });

  it('leaves a cell empty where there is no value, and sorts organisme columns by label', () => {
    const [quiet] = computeTerritoryIndicators([parcours({ entryOn: '2026-05-01' })], { from: '2026-02', to: '2026-02' });
    const csv = territoryIndicatorsToCsvRows([quiet!]);
    const cell = (header: string): string | undefined => csv[1]?.[csv[0]?.indexOf(header) ?? -1];
    expect(cell('Délai entrée→orientation médian (j)')).toBe('');
    expect(cell('Part avec référent')).toBe('');
    expect(cell("Part avec contrat d'engagement valide")).toBe('');
    expect(cell('Parcours ouverts en fin de mois')).toBe('0');

    const labels = new Map([
      [FRANCE_TRAVAIL, 'B France Travail'],
      [DEPARTEMENT, 'A Département'],
    ]);
    expect(territoryIndicatorsToCsvRows(rows, { partnerLabels: labels })[0]?.slice(-2)).toEqual(['Orientations vers A Département', 'Orientations vers B France Travail']);
  });

  it('is written with the CAOM export writer: BOM, `;`, CRLF', () => {
    const text = territoryIndicatorsCsvText(rows);
    expect(text).toBe(excelCsvText(territoryIndicatorsToCsvRows(rows)));
    expect(text.startsWith('\uFEFFEPCI;Mois;Entrées;Orientations emploi;')).toBe(true);
    expect(text.split('\r\n')[1]?.startsWith(`${THIERS};02/2026;2;1;0;1;0;18;40;2;6;6;1;3;1;0,333;`)).toBe(true);
  });
});

describe('indicators by regime and the transition (issue 14)', () => {
  const contract = (kind: 'CE' | 'CER', startsOn: string, endsOn: string) => ({ contractId: `${kind}-${startsOn}`, kind, startsOn, endsOn, endedOn: null });
  // Open on 1 January 2025: a CER of 2024, then a CE in June 2025; never got one; one more with a CE starting in 2027 (too late).
  const withCe = parcours({ entryOn: '2024-03-04', engagementContracts: [contract('CER', '2024-04-01', '2025-03-31'), contract('CE', '2025-06-02', '2025-12-01')] });
  const without = parcours({ entryOn: '2024-09-02' });
  const tooLate = parcours({ entryOn: '2024-10-07', engagementContracts: [contract('CE', '2027-01-04', '2027-06-30')] });
  // Exited in 2024: not open on 1 January 2025, so not in the transition.
  const exitedIn2024 = parcours({ entryOn: '2024-02-05', exits: [exit('2024-11-29', null, 'autre')] });
  // Entered in 2025: under the new law at once.
  const newcomer = parcours({ entryOn: '2025-02-03', referentPeriods: [{ assignedOn: '2025-02-10', releasedOn: null }] });
  const population = [withCe, without, tooLate, exitedIn2024, newcomer];

  it('given December 2024, then every open parcours is under the 2021 SPIE regime', () => {
    const [december] = computeTerritoryIndicators(population, { from: '2024-12', to: '2024-12', territory: THIERS });
    expect(december!.byRegimeAtMonthEnd).toEqual({
      spie_2021: { open: 3, withReferent: 0, withValidEngagementContract: 1 },
      transition: { open: 0, withReferent: 0, withValidEngagementContract: 0 },
      plein_emploi: { open: 0, withReferent: 0, withValidEngagementContract: 0 },
    });
    expect(december).toMatchObject({ transitionParcours: 0, shareTransitionWithContratEngagement: null });
  });

  it('given February 2025, then the three open on 1 January 2025 are in the transition and the newcomer under the new law', () => {
    const [february] = computeTerritoryIndicators(population, { from: '2025-02', to: '2025-02', territory: THIERS });
    expect(february!.byRegimeAtMonthEnd).toEqual({
      spie_2021: { open: 0, withReferent: 0, withValidEngagementContract: 0 },
      transition: { open: 3, withReferent: 0, withValidEngagementContract: 1 },
      plein_emploi: { open: 1, withReferent: 1, withValidEngagementContract: 0 },
    });
    expect(february).toMatchObject({ transitionParcours: 3, transitionWithContratEngagement: 0, shareTransitionWithContratEngagement: 0 });
  });

  it('gives the share of the parcours open on 1 January 2025 that got a contrat d’engagement by the end of the transition: 1 of 3', () => {
    const rows = computeTerritoryIndicators(population, { from: '2026-12', to: '2027-01', territory: THIERS });
    expect(rows.map((r) => [r.month, r.transitionParcours, r.transitionWithContratEngagement, r.shareTransitionWithContratEngagement])).toEqual([
      ['2026-12', 3, 1, 0.333],
      // A CE of January 2027 came after the transition: it does not count.
      ['2027-01', 3, 1, 0.333],
    ]);
    // From 2027 every parcours is under the new law.
    expect(rows[1]!.byRegimeAtMonthEnd.transition.open).toBe(0);
    expect(rows[1]!.byRegimeAtMonthEnd.plein_emploi.open).toBe(4);
  });
});
