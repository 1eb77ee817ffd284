import type { Body } from './http.js';
import type { RunningApp } from './test-app.js';

/**
 * An open `/v1/feed/stream`, read as it comes.
 */
export class FeedStream {
  text = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private done = false;

  constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    this.reader = response.body!.getReader();
  }

  /** Reads until the stream holds `expected`. */
  async until(expected: string): Promise<void> {
    while (!this.text.includes(expected)) {
      if (this.done) throw new Error(`the stream ended before sending ${expected}`);
      await this.next();
    }
  }

  /** Reads to the end: the last event, which says why the stream ends. */
  async end(): Promise<{ event: string; problem: Body }> {
    while (!this.done) await this.next();
    const last = /event: (\w+)\ndata: (.*)\n\n$/.exec(this.text);
    if (!last) throw new Error(`the stream ended without saying why: ${this.text.slice(-200)}`);
    return { event: last[1]!, problem: JSON.parse(last[2]!) as Body };
  }

  /** The client leaves. */
  close(): void {
    this.controller.abort();
    this.reader.cancel().catch(() => undefined);
  }

  private async next(): Promise<void> {
    const { value, done } = await this.reader.read();
    if (done) this.done = true;
    else this.text += this.decoder.decode(value, { stream: true });
  }
}

/** The streams a test opened, closed after it whatever its outcome (a failed test leaves none for the next). */
const opened: FeedStream[] = [];

export async function openStream(running: Pick<RunningApp, 'baseUrl'>, headers: Record<string, string>): Promise<FeedStream> {
  const controller = new AbortController();
  const response = await fetch(`${running.baseUrl}/v1/feed/stream`, { headers, signal: controller.signal });
  expect(response.status).toBe(200);
  const stream = new FeedStream(response, controller);
  opened.push(stream);
  return stream;
}

/** A stream opened by the test itself, closed with the others after it. */
export function adoptStream(response: Response): FeedStream {
  const stream = new FeedStream(response, new AbortController());
  opened.push(stream);
  return stream;
}

/** Closes the streams the test opened, whatever its outcome (a failed test leaves none for the next). */
export function closeOpenedStreams(): void {
  for (const stream of opened.splice(0)) stream.close();
}
