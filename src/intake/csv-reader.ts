/**
 * Records of a delimited text file (RFC 4180: quoted fields, doubled quotes, line breaks inside
 * quotes; CRLF or LF), each with the line number it starts on, for a report that names lines as a
 * spreadsheet shows them. A leading UTF-8 byte order mark is dropped.
 */
export interface CsvRecord {
  /** 1-based line number of the record's first character. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export function* readCsv(text: string, delimiter = ';'): Generator<CsvRecord> {
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (position < text.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    for (;;) {
      if (text[position] === '"') {
        position += 1;
        for (;;) {
          if (position >= text.length) throw new CsvSyntaxError(start, `line ${start}: a quoted field is not closed`);
          const char = text[position]!;
          if (char === '"') {
            if (text[position + 1] === '"') {
              field += '"';
              position += 2;
              continue;
            }
            position += 1;
            break;
          }
          if (char === '\n') line += 1;
          field += char;
          position += 1;
        }
        const next = text[position];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') throw new CsvSyntaxError(line, `line ${line}: text after a closing quote`);
      } else {
        while (position < text.length && text[position] !== delimiter && text[position] !== '\n' && text[position] !== '\r') {
          field += text[position];
          position += 1;
        }
      }
      fields.push(field);
      field = '';
      if (text[position] === delimiter) {
        position += 1;
        continue;
      }
      // End of record: CRLF, LF, or the end of the text.
      if (text[position] === '\r') position += 1;
      if (text[position] === '\n') position += 1;
      line += 1;
      break;
    }
    // A blank line is no record.
    if (fields.length === 1 && fields[0] === '') continue;
    yield { line: start, fields };
  }
}
