/** Reports answer CSV when the caller asks for it first (`Accept: text/csv`), JSON otherwise. */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',')[0]?.split(';')[0]?.trim().toLowerCase();
  return first === 'text/csv';
}
