/**
 * The NIR (numéro d'inscription au répertoire, "numéro de sécurité sociale"): 13 characters — sex,
 * year and month of birth, département (2A/2B for Corsica, or 99 abroad), commune, order number —
 * then a 2-digit key equal to 97 − (the 13-digit number mod 97).
 *
 * Checked by the application layer before the identity is encrypted; the decider never sees it.
 * Spaces, dots and dashes as people write them are tolerated.
 */

// 1/2: men/women; 3/4: legacy numbers of people born abroad; 7/8: temporary numbers (NIA).
const NIR = /^([1-478])(\d{2})(\d{2})(\d{2}|2A|2B)(\d{6})(\d{2})$/;

export function isValidNir(value: string): boolean {
  const match = NIR.exec(value.replace(/[\s.-]/g, '').toUpperCase());
  if (!match) return false;
  const [, sex, year, month, departement, communeAndOrder, key] = match as unknown as [string, string, string, string, string, string, string];
  if (!isBirthMonth(Number(month))) return false;
  // INSEE computes the key of Corsican numbers with 2A read as 19 and 2B as 18.
  const numericDepartement = departement === '2A' ? '19' : departement === '2B' ? '18' : departement;
  const number = Number(`${sex}${year}${month}${numericDepartement}${communeAndOrder}`);
  // 13 digits stay below 2^53: plain numbers are exact here.
  return Number(key) === 97 - (number % 97);
}

/** 01–12, or the codes INSEE gives when the civil status does not state the month (20, 30–42, 50–99). */
function isBirthMonth(month: number): boolean {
  return (month >= 1 && month <= 12) || month === 20 || (month >= 30 && month <= 42) || month >= 50;
}
