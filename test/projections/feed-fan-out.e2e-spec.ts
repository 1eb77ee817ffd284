import { randomUUID } from 'node:crypto';
import { SqlClient } from '../../src/database/sql-client.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { closeOpenedStreams, openStream } from '../support/feed-stream.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

afterEach(closeOpenedStreams);

/**
 * Open feed streams are woken by the feed projection's commit, for the organisations it delivered
 * to: not by the append, whose rows are not in the feed yet. The keep-alive is set to an hour, so
 * an event reaches a stream only if that commit wakes it (the old streams, woken by the append,
 * read before the projection had written the rows and then slept until the next append or the
 * keep-alive).
 */
describe('feed fan-out', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let parcoursId: string;
  const { post, get, anOrientedParcours } = clientWithParcours(() => running, () => consortium);

  const feedRunner = () => running.app.get(ProjectionsService).runners.find((runner) => runner.projection.name === 'partner_feed')!;

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000', FEED_KEEPALIVE_SECONDS: '3600' });
    consortium = await seedConsortium(running);
    parcoursId = await anOrientedParcours({ identity: { firstName: 'Lou', lastName: 'Canteloup', birthDate: '2002-05-01' }, orientedOn: '2026-02-02' });
    await running.app.get(ProjectionsService).whenCaughtUp();
  });

  afterAll(async () => {
    await running.close();
  });

  async function recordContact(): Promise<string> {
    const contactId = randomUUID();
    await post('ml-referent', `/v1/parcours/${parcoursId}/contacts`, { contactId, channel: 'sms', contactedOn: '2026-03-26', partnerId: consortium.missionLocale.id });
    return contactId;
  }

  it('an event appended while the feed projection is stopped reaches the open stream when the projection commits it', async () => {
    const stream = await openStream(running, await consortium.as('ml-referent'));
    await stream.until('event: OrientationDecided');
    await feedRunner().stop();
    const contactId = await recordContact();
    // The append is committed; the stream has nothing to read yet, whatever woke it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stream.text).not.toContain(contactId);
    await feedRunner().start();
    await stream.until(contactId);
    // Sent when the projection committed it, not when a timer next looked (the keep-alive is an hour).
    expect(stream.text.slice(0, stream.text.indexOf(contactId))).not.toContain(': keep-alive');
  }, 30_000);

  it('the last events of a burst arrive without waiting for another event', async () => {
    const stream = await openStream(running, await consortium.as('ml-referent'));
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await recordContact());
    for (const id of ids) await stream.until(id);
    expect(stream.text).not.toContain(': keep-alive');
  }, 30_000);

  it('serves the streams of one organisation a page read once, and journals one entry per page served naming its parcours', async () => {
    const streams = await Promise.all(Array.from({ length: 3 }, async () => openStream(running, await consortium.as('ml-referent'))));
    await Promise.all(streams.map((stream) => stream.until('event: OrientationDecided')));
    const contactId = await recordContact();
    await Promise.all(streams.map((stream) => stream.until(contactId)));
    const journal = await running.app.get(SqlClient).query<{ record_type: string; record_ids: string[] | null }>(
      `SELECT record_type, record_ids FROM access_journal WHERE operation = 'feed.read' ORDER BY entry_id DESC LIMIT 3`,
    );
    expect(journal).toHaveLength(3);
    for (const entry of journal) expect(entry).toEqual({ record_type: 'feed_page', record_ids: [parcoursId] });
    // The organisation's DPO or an auditor finds them by the parcours.
    const found = (await (await get('cd63-auditor', `/v1/access-journal?recordId=${parcoursId}&limit=500`)).json()) as { items: Array<{ recordType: string; recordIds: string[] | null }> };
    expect(found.items.filter((item) => item.recordType === 'feed_page').length).toBeGreaterThanOrEqual(3);
  }, 30_000);
});
