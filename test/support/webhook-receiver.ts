import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver does with one request: answer 2xx, answer `status`, answer after `delayMs`, or never answer. */
export type Behaviour = { answer: 'ok'; delayMs?: number } | { answer: 'fail'; status?: number; delayMs?: number } | { answer: 'hang' };

export interface ReceivedRequest {
  /** Order of arrival, from 0. */
  index: number;
  headers: Record<string, string>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: any;
  /** The status it was answered with; undefined while unanswered, or never (hang). */
  status?: number;
  arrivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Decides the answer of each request (default: 204 at once). */
  behave(decide: (request: ReceivedRequest) => Behaviour): void;
  /** Resolves once `predicate` holds on the requests (checked at each arrival and answer); rejects after `timeoutMs`. */
  until(predicate: (requests: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A webhook receiver on the loopback interface, for tests and the bench: it records every request
 * (body and headers, to verify signatures with the reference library) and answers as told — at
 * once, slowly, with a failure, or never (the sender's timeout).
 */
export async function startReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let decide: (request: ReceivedRequest) => Behaviour = () => ({ answer: 'ok' });
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watcher of [...watchers]) watcher();
  };
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers[name] = value;
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        payload = undefined;
      }
      const request: ReceivedRequest = { index: requests.length, headers, body, payload, arrivedAt: Date.now() };
      requests.push(request);
      const behaviour = decide(request);
      notify();
      if (behaviour.answer === 'hang') return;
      const status = behaviour.answer === 'ok' ? 204 : (behaviour.status ?? 500);
      const answer = () => {
        request.status = status;
        response.writeHead(status).end();
        notify();
      };
      if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    behave(next) {
      decide = next;
    },
    until(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(requests)) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`the webhook receiver did not see what was awaited within ${timeoutMs} ms (${requests.length} requests)`));
        }, timeoutMs);
        watchers.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
