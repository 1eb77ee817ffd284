import type { CaseloadItem } from '../parcours/read-models/caseload/caseload.controller.js';
import { CONTRACT_FORM, CONTACT_FORM, bodyOf } from './parcours-forms.js';
import { byUrgency } from './referent.controller.js';
import { pageOf } from './ruptures.controller.js';
import { safeReturn } from './sign-in.controller.js';

describe('safeReturn (where the browser goes after signing in)', () => {
  it('keeps a page of ours', () => {
    expect(safeReturn('/web/parcours/8b0c0b8e-4d1e-4a57-9d5a-2f1a0e5b7c11?x=1')).toBe('/web/parcours/8b0c0b8e-4d1e-4a57-9d5a-2f1a0e5b7c11?x=1');
  });

  it.each(['https://evil.example/web/x', '//evil.example/web/x', '/web//evil.example', '/web/\\evil.example', '/v1/parcours', '/web/', '', undefined, 42])('refuses %p (no open redirect)', (value) => {
    expect(safeReturn(value)).toBe('/web/accueil');
  });
});

describe('byUrgency (the caseload order)', () => {
  const item = (parcoursId: string, nextDeadlineOn: string | null, openAlerts = 0, openBreaches = 0) => ({ parcoursId, nextDeadlineOn, openAlerts, openBreaches }) as CaseloadItem;

  it('puts breaches first, then the nearest deadline, then more alerts; nothing due last', () => {
    const sorted = [item('a', null), item('b', '2026-12-20', 1), item('c', '2026-12-10'), item('d', '2027-01-01', 2, 1), item('e', '2026-12-20', 3)].sort(byUrgency);
    expect(sorted.map((entry) => entry.parcoursId)).toEqual(['d', 'c', 'e', 'b', 'a']);
  });
});

describe('bodyOf (a form to the API body)', () => {
  it('takes the fields named, leaves empty ones out, adds the chosen id and the organisation', () => {
    expect(bodyOf(CONTACT_FORM, { channel: 'phone', contactedOn: '2026-12-01', note: '', contactId: 'id-1', version: '3', _csrf: 't', extra: 'x' }, 'p-1')).toEqual({
      channel: 'phone',
      contactedOn: '2026-12-01',
      contactId: 'id-1',
      partnerId: 'p-1',
    });
  });

  it('turns a number field into a number only when it is one (the DTO then says what is wrong)', () => {
    expect(bodyOf(CONTRACT_FORM, { weeklyActivityHours: '15', contractId: 'c' }, 'p')).toMatchObject({ weeklyActivityHours: 15 });
    expect(bodyOf(CONTRACT_FORM, { weeklyActivityHours: 'quinze', contractId: 'c' }, 'p')).toMatchObject({ weeklyActivityHours: 'quinze' });
    expect(bodyOf(CONTRACT_FORM, { contractId: 'c' }, 'p')).not.toHaveProperty('partnerId');
  });
});

describe('pageOf (the ruptures table, a page at a time)', () => {
  const items = Array.from({ length: 250 }, (_, index) => index);

  it('cuts pages of the size given, the last one shorter', () => {
    expect(pageOf(items, '1')).toEqual({ page: 1, pages: 3, rows: items.slice(0, 100) });
    expect(pageOf(items, '3').rows).toEqual(items.slice(200));
  });

  it('takes the first page for anything but a page number, and the last past the end', () => {
    for (const asked of [undefined, '', '0', '-1', 'abc', '1.5', '01']) expect(pageOf(items, asked).page).toBe(1);
    expect(pageOf(items, '99')).toMatchObject({ page: 3, pages: 3 });
    expect(pageOf([], '2')).toEqual({ page: 1, pages: 1, rows: [] });
  });
});
