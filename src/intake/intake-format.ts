import { isCalendarDate } from '../http/calendar-date.js';
import type { HouseholdRole, RsaRights } from '../parcours/domain/events.js';
import { isValidNir } from '../parcours/domain/nir.js';
import type { Identity } from '../privacy/identity.js';
import type { CsvRecord } from './csv-reader.js';

/**
 * The CAF/MSA monthly file of RSA entrants, as this service reads it (README, "Intake"): UTF-8,
 * `;`-separated, a header line naming the columns (in any order; other columns are ignored), one
 * person per line. Dates as `YYYY-MM-DD` or `DD/MM/YYYY`.
 */
export const INTAKE_COLUMNS = {
  numero_allocataire: { required: true, description: "the household's allocataire number at the organism (digits)" },
  organisme: { required: true, description: '`CAF` or `MSA`' },
  nir: { required: false, description: 'NIR (15 characters, key checked), when known' },
  nom: { required: true, description: 'last name (birth name)' },
  prenoms: { required: true, description: 'first name(s), in any order' },
  date_naissance: { required: true, description: 'birth date' },
  adresse: { required: false, description: 'street address' },
  code_postal: { required: false, description: 'postal code, 5 digits' },
  ville: { required: false, description: 'city name' },
  code_commune: { required: true, description: 'INSEE code of the commune of residence: decides the EPCI (territory)' },
  date_ouverture_droits: { required: true, description: 'opening date of the RSA rights: the entry date of a new parcours' },
  droit_rsa: { required: true, description: '`socle`, `majore` (RSA socle majoré, isolated parent) or `non_socle`' },
  role_foyer: { required: true, description: '`demandeur` or `conjoint`' },
} as const;

export type IntakeColumn = keyof typeof INTAKE_COLUMNS;

/** What is wrong with a line, by column: codes only, never the value (it is personal data). */
export interface LineError {
  line: number;
  column: IntakeColumn | 'line';
  code:
    | 'missing_column'
    | 'required'
    | 'invalid_format'
    | 'invalid_nir'
    | 'invalid_date'
    | 'unknown_value'
    | 'too_long'
    | 'unknown_commune'
    | 'birth_date_after_entry'
    | 'date_in_future'
    | 'wrong_number_of_fields';
}

export interface IntakeEntrant {
  line: number;
  identity: Identity;
  householdRole: HouseholdRole;
  rights: RsaRights;
  rightsOpenedOn: string;
  source: 'caf' | 'msa';
  territory: string;
}

export type Header = ReadonlyMap<IntakeColumn, number>;

/** The columns' positions, or the errors of the header line (a missing required column). */
export function readHeader(record: CsvRecord): { header: Header; errors: LineError[] } {
  const positions = new Map<IntakeColumn, number>();
  record.fields.forEach((name, index) => {
    const key = name.trim().toLowerCase();
    if (Object.hasOwn(INTAKE_COLUMNS, key) && !positions.has(key as IntakeColumn)) positions.set(key as IntakeColumn, index);
  });
  const errors = (Object.keys(INTAKE_COLUMNS) as IntakeColumn[])
    .filter((column) => INTAKE_COLUMNS[column].required && !positions.has(column))
    .map((column): LineError => ({ line: record.line, column, code: 'missing_column' }));
  return { header: positions, errors };
}

const RIGHTS: Readonly<Record<string, RsaRights>> = { socle: 'socle', majore: 'socle_majore', non_socle: 'non_socle' };

/**
 * One line: the entrant, or every error of the line (one per column at most). `territoryOf` maps
 * a commune's INSEE code to a territory; `today` bounds the dates.
 */
export function readEntrant(record: CsvRecord, header: Header, territoryOf: (commune: string) => string | undefined, today: string): IntakeEntrant | LineError[] {
  const errors: LineError[] = [];
  const fail = (column: LineError['column'], code: LineError['code']) => void errors.push({ line: record.line, column, code });
  if (record.fields.length < Math.max(...header.values()) + 1) {
    fail('line', 'wrong_number_of_fields');
    return errors;
  }
  const value = (column: IntakeColumn): string | undefined => {
    const position = header.get(column);
    const text = position === undefined ? '' : record.fields[position]!.trim();
    if (text === '') {
      if (INTAKE_COLUMNS[column].required) fail(column, 'required');
      return undefined;
    }
    // Control characters (a NUL) and text beyond any field's size are refused, not stored.
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.test(text)) {
      fail(column, 'invalid_format');
      return undefined;
    }
    if (text.length > 200) {
      fail(column, 'too_long');
      return undefined;
    }
    return text;
  };
  const text = (column: IntakeColumn, max: number) => {
    const found = value(column);
    if (found !== undefined && found.length > max) {
      fail(column, 'too_long');
      return undefined;
    }
    return found;
  };
  const date = (column: IntakeColumn) => {
    const found = value(column);
    if (found === undefined) return undefined;
    const french = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(found);
    const iso = french ? `${french[3]}-${french[2]}-${french[1]}` : found;
    if (!isCalendarDate(iso)) {
      fail(column, 'invalid_date');
      return undefined;
    }
    if (iso > today) {
      fail(column, 'date_in_future');
      return undefined;
    }
    return iso;
  };
  const oneOf = <T extends string>(column: IntakeColumn, values: Readonly<Record<string, T>>) => {
    const found = value(column);
    if (found === undefined) return undefined;
    const known = values[found.toLowerCase()];
    if (known === undefined) fail(column, 'unknown_value');
    return known;
  };

  const number = value('numero_allocataire');
  if (number !== undefined && !/^ *[0-9]( *[0-9]){0,14} *$/.test(number)) fail('numero_allocataire', 'invalid_format');
  const source = oneOf('organisme', { caf: 'caf', msa: 'msa' } as const);
  const nir = value('nir');
  if (nir !== undefined && !isValidNir(nir)) fail('nir', 'invalid_nir');
  const lastName = text('nom', 100);
  const firstName = text('prenoms', 100);
  const birthDate = date('date_naissance');
  const line1 = text('adresse', 200);
  const postalCode = value('code_postal');
  if (postalCode !== undefined && !/^\d{5}$/.test(postalCode)) fail('code_postal', 'invalid_format');
  const city = text('ville', 100);
  const commune = value('code_commune');
  const territory = commune === undefined ? undefined : territoryOf(commune.toUpperCase());
  if (commune !== undefined && territory === undefined) fail('code_commune', /^(\d{5}|2[AB]\d{3})$/i.test(commune) ? 'unknown_commune' : 'invalid_format');
  const rightsOpenedOn = date('date_ouverture_droits');
  const rights = oneOf('droit_rsa', RIGHTS);
  const householdRole = oneOf('role_foyer', { demandeur: 'demandeur', conjoint: 'conjoint' } as const);
  if (birthDate !== undefined && rightsOpenedOn !== undefined && birthDate > rightsOpenedOn) fail('date_naissance', 'birth_date_after_entry');
  if (errors.length) return errors;

  const identity: Identity = {
    firstName: firstName!,
    lastName: lastName!,
    birthDate: birthDate!,
    nir: nir ? nir.replace(/[\s.-]/g, '').toUpperCase() : null,
    allocataire: { organism: source!, number: number!.replace(/\s/g, '') },
    address: line1 && postalCode && city ? { line1, postalCode, city } : null,
  };
  return { line: record.line, identity, householdRole: householdRole!, rights: rights!, rightsOpenedOn: rightsOpenedOn!, source: source!, territory: territory! };
}
