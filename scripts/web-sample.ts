/**
 * A small sample for the web pages' screenshots and timings: the test consortium (Département,
 * mission locale, ACI, one member per role) and a few parcours on two EPCI, written through the
 * API as the tests do. Not the demo (`npm run demo`): this stays independent of it.
 */
import { randomUUID } from 'node:crypto';
import { addDays } from '../src/kernel/calendar.js';
import { parisDate } from '../src/kernel/clock.js';
import { ProjectionsService } from '../src/projections/projections.module.js';
import { type Consortium, seedConsortium } from '../test/support/consortium.js';
import { consortiumClient } from '../test/support/http.js';
import { type RunningApp, startApp } from '../test/support/test-app.js';

const FIRST_NAMES = ['Léa', 'Jean', 'Nadia', 'Marc', 'Sophie', 'Karim', 'Claire', 'Paul'];
const LAST_NAMES = ['Boissonnade', 'Chassaing', 'Vernet', 'Fournier', 'Mazet', 'Roux', 'Brunel', 'Chabrier'];

export interface Sample {
  running: RunningApp;
  consortium: Consortium;
  parcoursIds: string[];
}

export async function startSample(): Promise<Sample> {
  const running = await startApp({ WEB_LOCAL_SIGN_IN: 'on', RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000' });
  const consortium = await seedConsortium(running);
  const { post } = consortiumClient(() => running, () => consortium);
  const today = parisDate(new Date());
  const day = (offset: number) => addDays(today, offset);
  const parcoursIds: string[] = [];
  for (let index = 0; index < 8; index++) {
    const territory = index % 3 === 2 ? 'cc-billom-communaute' : 'cc-thiers-dore-et-montagne';
    const entry = -30 * (index + 1);
    const { parcoursId } = (await post('cd63-orientation_manager', '/v1/parcours', {
      identity: { firstName: FIRST_NAMES[index], lastName: `${LAST_NAMES[index]}-${randomUUID().slice(0, 4)}`, birthDate: `198${index}-0${(index % 9) + 1}-1${index}` },
      householdRole: 'demandeur',
      rsaSocle: true,
      entryOn: day(entry),
      territory,
      source: 'caf',
    })) as { parcoursId: string };
    parcoursIds.push(parcoursId);
    if (index % 4 !== 3) {
      await post('cd63-orientation_manager', `/v1/parcours/${parcoursId}/orientation`, {
        parcoursType: 'emploi', organismeReferentId: consortium.missionLocale.id, reason: 'diagnostic_outcome', decidedOn: day(entry + 10 + index * 3), notifiedOn: day(entry + 10 + index * 3),
      });
      await post('ml-referent', `/v1/parcours/${parcoursId}/referent`, { referentUserId: 'ml-referent', assignedOn: day(entry + 12 + index * 3) });
      if (index < 3) {
        // PEC contracts for the CAOM page: 26 h funded, 20 h refused (under the weekly minimum).
        await post('ml-referent', `/v1/parcours/${parcoursId}/employment-contracts`, {
          contractId: randomUUID(), kind: 'PEC', employerSiret: '73282932000074', weeklyHours: index === 1 ? 20 : 26, startsOn: day(entry + 25 + index * 3), plannedEndOn: day(entry + 205),
        });
      }
      if (index % 2 === 0) {
        await post('ml-referent', `/v1/parcours/${parcoursId}/contacts`, { contactId: randomUUID(), channel: 'phone', contactedOn: day(entry + 20 + index * 3), partnerId: consortium.missionLocale.id, note: 'Premier entretien téléphonique' });
      }
    }
  }
  await running.app.get(ProjectionsService).whenCaughtUp();
  return { running, consortium, parcoursIds };
}
