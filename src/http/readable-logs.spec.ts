import { stripVTControlCharacters } from 'node:util';
import { createLogger, readableOnTerminal } from './logging.js';

function capture(isTerminal: boolean): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line) };
  return { lines, log: createLogger({ logLevel: 'info' }, readableOnTerminal(sink, isTerminal)) };
}

describe('log lines', () => {
  it('are JSON lines when nobody reads a terminal', () => {
    const { lines, log } = capture(false);
    log.info({ correlationId: 'c-1' }, 'request completed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'request completed', correlationId: 'c-1', service: 'spie-parcours' });
  });

  it('read as text on a terminal, with what the JSON would carry and nothing redacted shown', () => {
    const { lines, log } = capture(true);
    log.warn({ correlationId: 'c-2', authorization: 'Bearer secret' }, 'slow answer');
    const text = stripVTControlCharacters(lines.join(''));
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(text).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] WARN: slow answer\n/);
    expect(text).toContain('correlationId: "c-2"');
    expect(text).not.toContain('secret');
  });
});
