import { randomUUID } from 'node:crypto';
import { SqlClient } from '../../src/database/sql-client.js';
import { uuidFromKey } from '../../src/http/idempotency.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, consortiumClient, json } from '../support/http.js';
import { anOpening } from '../support/parcours-fixtures.js';
import { uniqueLastName } from '../support/people.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * A command on a parcours the caller may not reach answers 404 whatever it carries, and writes
 * nothing: the reach is checked before any look-up (référent, partner) and any encryption (a note),
 * so the answer tells nothing of what exists, and no data key, event or journal entry is left. A
 * new parcours' data key is stored with its events, so an opening the rules refuse leaves none.
 * And a contact or an appointment names only the caller's organisation or one following the parcours.
 */
describe('reach first, then look-ups and encryption', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let db: SqlClient;
  const client = consortiumClient(() => running, () => consortium);
  /** Opened by the ACI in Billom: the mission locale (Thiers) neither follows it nor serves its territory. */
  let theirs: string;
  /** The same, erased by the DPO. */
  let theirsErased: string;
  /** Opened by the mission locale. */
  let ours: string;

  const opening = (territory: string) => anOpening({ identity: { firstName: 'Oriane', lastName: uniqueLastName('Test'), birthDate: '1987-03-03' }, entryOn: '2026-01-05', territory });

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    db = running.app.get(SqlClient);
    theirs = (await client.post('aci-orientation_manager', '/v1/parcours', opening('cc-billom-communaute')))['parcoursId'] as string;
    theirsErased = (await client.post('aci-orientation_manager', '/v1/parcours', opening('cc-billom-communaute')))['parcoursId'] as string;
    await client.post('cd63-dpo', `/v1/parcours/${theirsErased}/erasure`, { legalGround: 'erasure_request_granted' });
    ours = (await client.post('ml-orientation_manager', '/v1/parcours', opening('cc-thiers-dore-et-montagne')))['parcoursId'] as string;
  });

  afterAll(async () => {
    await running.close();
  });

  /** Everything a command could write. */
  async function snapshot(): Promise<string> {
    const counts = await db.query(
      `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM personal_data_keys)::int AS keys,
              (SELECT count(*) FROM access_journal)::int AS journal, (SELECT count(*) FROM idempotency_keys)::int AS idempotency,
              (SELECT count(*) FROM parcours_details)::int AS details`,
    );
    return JSON.stringify(counts);
  }

  async function expectNothingWritten(send: () => Promise<Response>, status: number, code: string): Promise<void> {
    const before = await snapshot();
    const response = await send();
    expect({ status: response.status, code: (await json(response))['code'] as unknown }).toEqual({ status, code });
    expect(await snapshot()).toBe(before);
  }

  const contact = (extra: Body = {}) => ({ contactId: randomUUID(), channel: 'phone', contactedOn: '2026-01-06', partnerId: consortium.missionLocale.id, ...extra });

  it("answers 404 for a contact on a parcours erased that the caller does not follow, with or without a note, and writes nothing", async () => {
    await expectNothingWritten(() => client.send('ml-referent', `/v1/parcours/${theirsErased}/contacts`, contact({ note: 'a appelé pour son dossier' })), 404, 'not_found');
    await expectNothingWritten(() => client.send('ml-referent', `/v1/parcours/${theirsErased}/contacts`, contact()), 404, 'not_found');
  });

  it('answers 404 for a note on a parcours that was never opened, and creates no data key for it', async () => {
    const never = randomUUID();
    await expectNothingWritten(() => client.send('ml-referent', `/v1/parcours/${never}/contacts`, contact({ note: 'une note' })), 404, 'not_found');
    expect(await db.query('SELECT 1 FROM personal_data_keys WHERE subject_id = $1', [never])).toEqual([]);
  });

  it('does not tell a caller who may not reach a parcours whether a référent or a partner exists', async () => {
    for (const referentUserId of ['aci-referent', 'nobody-at-all']) {
      await expectNothingWritten(() => client.send('ml-referent', `/v1/parcours/${theirs}/referent`, { referentUserId, assignedOn: '2026-01-07' }), 404, 'not_found');
    }
    for (const partnerId of [consortium.departement.id, randomUUID()]) {
      await expectNothingWritten(() => client.send('ml-referent', `/v1/parcours/${theirs}/follow-up-group`, { partnerId, joinedOn: '2026-01-07' }), 404, 'not_found');
      await expectNothingWritten(
        () => client.send('ml-orientation_manager', `/v1/parcours/${theirs}/orientation`, { parcoursType: 'emploi', organismeReferentId: partnerId, reason: 'diagnostic_outcome', decidedOn: '2026-01-08' }),
        404,
        'not_found',
      );
    }
  });

  it('still tells a caller who reaches the parcours that the référent or the partner is unknown, or the data erased', async () => {
    await expectNothingWritten(() => client.send('ml-referent', `/v1/parcours/${ours}/referent`, { referentUserId: 'nobody-at-all', assignedOn: '2026-01-07' }), 422, 'unknown_referent');
    await expectNothingWritten(() => client.send('ml-referent', `/v1/parcours/${ours}/follow-up-group`, { partnerId: randomUUID(), joinedOn: '2026-01-07' }), 422, 'unknown_partner');
    await expectNothingWritten(() => client.send('aci-referent', `/v1/parcours/${theirsErased}/contacts`, contact({ partnerId: consortium.aci.id, note: 'une note' })), 422, 'personal_data_erased');
    await expectNothingWritten(() => client.send('aci-referent', `/v1/parcours/${theirsErased}/contacts`, contact({ partnerId: consortium.aci.id })), 422, 'personal_data_erased');
  });

  it('leaves no data key when the rules refuse an opening, and stores it with the events of one they accept', async () => {
    const key = randomUUID();
    const refusedId = uuidFromKey(consortium.missionLocale.id, key);
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const refused = await fetch(`${running.baseUrl}/v1/parcours`, {
      method: 'POST',
      headers: { ...(await consortium.as('ml-orientation_manager')), 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ ...opening('cc-thiers-dore-et-montagne'), entryOn: tomorrow }),
    });
    expect(refused.status).toBe(422);
    expect(await json(refused)).toMatchObject({ code: 'date_in_future' });
    expect(await db.query('SELECT 1 FROM personal_data_keys WHERE subject_id = $1', [refusedId])).toEqual([]);

    const opened = (await client.post('ml-orientation_manager', '/v1/parcours', opening('cc-thiers-dore-et-montagne')))['parcoursId'] as string;
    expect(await db.query('SELECT 1 AS one FROM personal_data_keys WHERE subject_id = $1', [opened])).toEqual([{ one: 1 }]);
    const read = await json(await client.get('ml-referent', `/v1/parcours/${opened}`));
    expect(read['identity']).toMatchObject({ firstName: 'Oriane', lastName: expect.stringMatching(/^Test /) });
  });

  it("refuses a contact or an appointment held by an organisation that neither calls nor follows the parcours, and writes nothing", async () => {
    for (const partnerId of [randomUUID(), consortium.aci.id]) {
      await expectNothingWritten(() => client.send('ml-referent', `/v1/parcours/${ours}/contacts`, contact({ partnerId })), 422, 'partner_not_following');
      await expectNothingWritten(
        () => client.send('ml-referent', `/v1/parcours/${ours}/appointments`, { appointmentId: randomUUID(), kind: 'accompaniment', scheduledOn: '2026-01-06', outcome: 'seen', partnerId }),
        422,
        'partner_not_following',
      );
    }
    const recorded = await client.send('ml-referent', `/v1/parcours/${ours}/contacts`, contact());
    expect(recorded.status).toBe(200);
    // Once the ACI follows the parcours, its contacts may be recorded there.
    await client.post('ml-referent', `/v1/parcours/${ours}/follow-up-group`, { partnerId: consortium.aci.id, joinedOn: '2026-01-07' });
    expect((await client.send('ml-referent', `/v1/parcours/${ours}/contacts`, contact({ partnerId: consortium.aci.id, contactedOn: '2026-01-08' }))).status).toBe(200);
  });
});
