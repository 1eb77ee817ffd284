import { CsvSyntaxError, readCsv } from './csv-reader.js';

describe('readCsv', () => {
  it('reads fields, quotes, doubled quotes, delimiters and line breaks inside quotes, CRLF, a BOM and blank lines', () => {
    const text = '\ufeffa;b;c\r\n1;"x;y";"il a dit ""oui"""\r\n\r\n2;"deux\nlignes";\n3;;z';
    expect([...readCsv(text)]).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x;y', 'il a dit "oui"'] },
      { line: 4, fields: ['2', 'deux\nlignes', ''] },
      { line: 6, fields: ['3', '', 'z'] },
    ]);
  });

  it('names the line of a broken quote', () => {
    expect(() => [...readCsv('a;b\n1;"open\n2;3')]).toThrow(CsvSyntaxError);
    expect(() => [...readCsv('a;b\n1;"x"y\n')]).toThrow(/line 2/);
  });

  it('reads another delimiter', () => {
    expect([...readCsv('a,b\n1,2\n', ',')]).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
    ]);
  });
});
