import { excelCsvText } from '../../kernel/csv.js';
import { CONSEIL_DEPARTEMENTAL, opened, oriented } from '../../parcours/domain/parcours.fixtures.js';
import { buildTimeline } from './timeline.js';
import { TIMELINE_CSV_HEADER, timelineCsvText, timelineToCsvRows } from './timeline-csv.js';
import { aHistoryWithEveryEventType, CIPHERTEXT, PARTNER_NAMES, recordedHistory } from './timeline.fixtures.js';

describe('timelineToCsvRows', () => {
  const events = recordedHistory(aHistoryWithEveryEventType());
  const timeline = buildTimeline(events, [], { partnerNames: PARTNER_NAMES });
  const rows = timelineToCsvRows(timeline);

  it('starts with the French header, then one row per entry in timeline order', () => {
    expect(rows[0]).toEqual(['Date', 'Enregistré le', 'Version', 'Événement', 'Détail', 'Organisation', 'Rôle', 'Identifiant', 'Empreinte']);
    expect(TIMELINE_CSV_HEADER).toEqual(rows[0]);
    expect(rows).toHaveLength(timeline.entries.length + 1);
    expect(rows.slice(1).map((row) => row[7])).toEqual(timeline.entries.map((entry) => entry.eventId));
  });

  it('writes dates the French way, the recording time in Paris, and the role in words', () => {
    // v12: a contact of 02/03 recorded on 18/03 at 15:30 UTC, i.e. 16:30 in Paris (winter time).
    const contact = rows.find((row) => row[2] === '12');
    const record = events[11];
    expect(contact).toEqual([
      '02/03/2026',
      '18/03/2026 16:30',
      '12',
      'Contact',
      'par téléphone, Conseil départemental du Puy-de-Dôme',
      'Conseil départemental du Puy-de-Dôme',
      'Référent',
      record.eventId,
      record.hash,
    ]);
    // Summer time: 15:30 UTC is 17:30 in Paris.
    expect(rows.find((row) => row[2] === '24')?.slice(0, 4)).toEqual(['15/07/2026', '15/07/2026 17:30', '24', 'Sortie du parcours']);
    expect(rows.find((row) => row[2] === '27')?.[6]).toBe('Délégué à la protection des données');
  });

  it('shows the partner id when its name is unknown, and a role outside the list as stored', () => {
    const unnamed = buildTimeline(recordedHistory([{ event: opened(), actor: { partnerId: CONSEIL_DEPARTEMENTAL, role: 'legacy_role' } }]), [], {});
    expect(timelineToCsvRows(unnamed)[1].slice(5, 7)).toEqual([CONSEIL_DEPARTEMENTAL, 'legacy_role']);
  });

  it('makes the file with the export conventions of the CAOM report', () => {
    const text = timelineCsvText(timeline);
    expect(text).toBe(excelCsvText(rows));
    expect(text.startsWith('\uFEFFDate;Enregistré le;Version;Événement;Détail;')).toBe(true);
    // A detail holding a `;` is quoted, so that Excel keeps it in one cell.
    expect(text).toContain(';"freins forts (mobilité, numérique), freins moyens (santé, finances) ; demandeur');
    expect(text).not.toContain(CIPHERTEXT);
  });

  it('guards a partner name that Excel would run as a formula', () => {
    const hostile = buildTimeline(recordedHistory([opened(), oriented()]), [], { partnerNames: new Map([[CONSEIL_DEPARTEMENTAL, '=HYPERLINK("http://x")']]) });
    const text = timelineCsvText(hostile);
    expect(text).toContain(`;"'=HYPERLINK(""http://x"")";`);
  });
});
