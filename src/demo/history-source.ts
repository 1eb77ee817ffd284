import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { EncryptedValue } from '../parcours/domain/events.js';
import { type DemoHistory, type PersonKeys, demoHistory } from './histories.js';
import { SeededRandom } from './random.js';

/**
 * The demo's histories, decided in a worker thread while the loader writes the ones before:
 * deciding them is pure computation (a third of the load's time on its own thread), and the
 * embedded database works in the loader's thread. The worker runs the generator exactly as the
 * loader would, the same seed drawing the same ids and the same histories in the same order.
 *
 * The data keys stay in the loader's thread, with the database they are committed to: the worker
 * seals each value with a placeholder, which the loader replaces by the value encrypted under the
 * parcours' key (`seal`). The decider never reads a ciphertext, it only carries it.
 */

/** Parcours whose ids are drawn together before their histories are decided: a seed's data depend on it. */
export const DRAW = 25;

/** A history as the worker decided it: its sealed values still to encrypt. */
export interface DecidedParcours {
  parcoursId: string;
  history: DemoHistory;
  /** The values sealed, in the order of their placeholders. */
  sealed: unknown[];
}

interface HistorySettings {
  seed: number;
  today: string;
  total: number;
  /** Parcours per chunk handed to the loader. */
  chunk: number;
  /** Chunks decided ahead of the loader, at most. */
  ahead: number;
}

type FromWorker = { chunk: DecidedParcours[] } | { error: string };

/**
 * With a NUL, which PostgreSQL refuses in text and jsonb values: a placeholder left over would fail
 * the load where the details, contacts and read models carry it (and the demo test decrypts them all).
 */
const PLACEHOLDER = '\u0000demo-sealed:';
const WORKER_FLAG = 'spieDemoHistories';

export class DemoHistorySource {
  private readonly ready: DecidedParcours[][] = [];
  private readonly waiting: Array<{ resolve: (chunk: DecidedParcours[]) => void; reject: (error: Error) => void }> = [];
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromWorker) => {
      if ('error' in message) this.fail(new Error(`deciding the demo histories failed: ${message.error}`));
      else this.deliver(message.chunk);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the demo histories' worker stopped (exit ${code})`)));
  }

  static start(settings: HistorySettings): DemoHistorySource {
    const url = new URL(import.meta.url);
    // Run from the TypeScript sources (tests), the worker needs the loader the tests run with.
    const execArgv = url.pathname.endsWith('.ts') ? ['--import', '@swc-node/register/esm-register'] : [];
    return new DemoHistorySource(new Worker(url, { workerData: { [WORKER_FLAG]: settings }, execArgv }));
  }

  /** The next chunk of parcours, in the generator's order; asks the worker for one more ahead. */
  next(): Promise<DecidedParcours[]> {
    const chunk = this.ready.shift();
    if (chunk) {
      this.worker.postMessage('more');
      return Promise.resolve(chunk);
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async close(): Promise<void> {
    this.failure ??= new Error('closed');
    await this.worker.terminate();
  }

  private deliver(chunk: DecidedParcours[]): void {
    const waiter = this.waiting.shift();
    if (!waiter) {
      this.ready.push(chunk);
      return;
    }
    this.worker.postMessage('more');
    waiter.resolve(chunk);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }
}

/**
 * The history with its placeholders replaced by the values `seal` encrypts, wherever the decider
 * carried them (the events' data, the state): nothing sealed is left as a placeholder.
 */
export function sealed(decided: DecidedParcours, seal: (value: unknown) => EncryptedValue): DemoHistory {
  const ciphertexts = decided.sealed.map((value) => seal(value).ciphertext);
  const replace = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const field = record[key];
      if (typeof field === 'string') {
        if (field.startsWith(PLACEHOLDER)) record[key] = ciphertexts[Number(field.slice(PLACEHOLDER.length))];
      } else if (typeof field === 'object' && field !== null) {
        replace(field);
      }
    }
  };
  for (const event of decided.history.events) replace(event.data);
  replace(decided.history.state);
  return decided.history;
}

/** The next DRAW parcours of the generator (fewer at the end): their ids drawn first, then their histories. */
function decideDraw(rng: SeededRandom, today: string, keys: PersonKeys, count: number): DecidedParcours[] {
  const ids = Array.from({ length: count }, () => rng.uuid());
  return ids.map((parcoursId) => {
    const values: unknown[] = [];
    const history = demoHistory({ parcoursId, rng, today, keys, sealer: { seal: (value) => ({ ciphertext: `${PLACEHOLDER}${values.push(value) - 1}` }) } });
    return { parcoursId, history, sealed: values };
  });
}

/**
 * The worker: decides draw after draw and hands them out in chunks (whatever their size, the
 * draws are the same), at most `ahead` chunks before the loader.
 */
function runWorker(settings: HistorySettings): void {
  const port = parentPort!;
  const rng = new SeededRandom(settings.seed);
  const keys: PersonKeys = { taken: new Set() };
  let credit = settings.ahead;
  let drawn = 0;
  let handed = 0;
  const decided: DecidedParcours[] = [];
  const produce = () => {
    try {
      while (credit > 0 && handed < settings.total) {
        const count = Math.min(settings.chunk, settings.total - handed);
        while (decided.length < count) {
          const draw = Math.min(DRAW, settings.total - drawn);
          decided.push(...decideDraw(rng, settings.today, keys, draw));
          drawn += draw;
        }
        port.postMessage({ chunk: decided.splice(0, count) } satisfies FromWorker);
        handed += count;
        credit -= 1;
      }
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromWorker);
    }
  };
  port.on('message', () => {
    credit += 1;
    produce();
  });
  produce();
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG]) runWorker((workerData as Record<string, HistorySettings>)[WORKER_FLAG]!);
