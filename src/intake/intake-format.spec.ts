import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/app-config.js';
import { loadCommuneTerritories } from './communes.js';
import { readCsv } from './csv-reader.js';
import { readEntrant, readHeader } from './intake-format.js';

const HEADER = 'role_foyer;numero_allocataire;organisme;nir;nom;prenoms;date_naissance;adresse;code_postal;ville;code_commune;date_ouverture_droits;droit_rsa;autre';
const communes = loadCommuneTerritories();

function read(line: string) {
  const [header, record] = [...readCsv(`${HEADER}\n${line}\n`)];
  return readEntrant(record!, readHeader(header!).header, (code) => communes.get(code), '2026-11-20');
}

describe('the intake file format', () => {
  it('ships the communes of the Puy-de-Dôme with their EPCI', () => {
    expect(communes.size).toBe(463);
    expect(communes.get('63430')).toBe('cc-thiers-dore-et-montagne');
    expect(communes.get('63113')).toBe('clermont-auvergne-metropole');
    expect(communes.get('75056')).toBeUndefined();
  });

  it('refuses a replacement map that names an unknown territory, naming the variable', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'communes-')), 'communes.json');
    writeFileSync(file, JSON.stringify({ communes: [{ insee: '63430', territory: 'nowhere' }] }));
    expect(() => loadCommuneTerritories(file)).toThrow(ConfigError);
    expect(() => loadCommuneTerritories(file)).toThrow(/INTAKE_COMMUNES_FILE/);
    writeFileSync(file, JSON.stringify({ communes: [{ insee: '63430', territory: 'cc-billom-communaute' }] }));
    expect(loadCommuneTerritories(file).get('63430')).toBe('cc-billom-communaute');
  });

  it('reads a line whatever the order of the columns, French dates, spaces in numbers', () => {
    expect(read('conjoint; 0123 456 ;msa;2 84 05 63 430 123 55;Martin;Léa Anne;12/05/1984;1 rue X;63300;Thiers;63430;01/10/2026;majore;ignored')).toEqual({
      line: 2,
      identity: {
        firstName: 'Léa Anne',
        lastName: 'Martin',
        birthDate: '1984-05-12',
        nir: '284056343012355',
        allocataire: { organism: 'msa', number: '0123456' },
        address: { line1: '1 rue X', postalCode: '63300', city: 'Thiers' },
      },
      householdRole: 'conjoint',
      rights: 'socle_majore',
      rightsOpenedOn: '2026-10-01',
      source: 'msa',
      territory: 'cc-thiers-dore-et-montagne',
    });
  });

  it('reports each fault by column with a code, never the value', () => {
    const errors = read('chef;12a;CNAF;184056311300199;;Léa;1984-02-30;;6330;;75056;2026-12-01;rsa;');
    expect(errors).toEqual([
      { line: 2, column: 'numero_allocataire', code: 'invalid_format' },
      { line: 2, column: 'organisme', code: 'unknown_value' },
      { line: 2, column: 'nir', code: 'invalid_nir' },
      { line: 2, column: 'nom', code: 'required' },
      { line: 2, column: 'date_naissance', code: 'invalid_date' },
      { line: 2, column: 'code_postal', code: 'invalid_format' },
      { line: 2, column: 'code_commune', code: 'unknown_commune' },
      { line: 2, column: 'date_ouverture_droits', code: 'date_in_future' },
      { line: 2, column: 'droit_rsa', code: 'unknown_value' },
      { line: 2, column: 'role_foyer', code: 'unknown_value' },
    ]);
    expect(read('demandeur;1;CAF;;A;B;2001-01-01')).toEqual([{ line: 2, column: 'line', code: 'wrong_number_of_fields' }]);
    expect(read('demandeur;1;CAF;;A;B;2027-01-01;;;;63430;2026-10-01;socle;')).toEqual([{ line: 2, column: 'date_naissance', code: 'date_in_future' }]);
    expect(read('demandeur;1;CAF;;A;B;2026-10-02;;;;63430;2026-10-01;socle;')).toEqual([{ line: 2, column: 'date_naissance', code: 'birth_date_after_entry' }]);
    expect(read('demandeur;1;CAF;;A\u0000;B;2001-01-01;;;;63430;2026-10-01;socle;')).toEqual([{ line: 2, column: 'nom', code: 'invalid_format' }]);
  });

  it('names the required columns missing from the header', () => {
    const [header] = [...readCsv('nom;prenoms;date_naissance\n')];
    expect(readHeader(header!).errors.map((error) => error.column)).toEqual([
      'numero_allocataire',
      'organisme',
      'code_commune',
      'date_ouverture_droits',
      'droit_rsa',
      'role_foyer',
    ]);
  });
});
