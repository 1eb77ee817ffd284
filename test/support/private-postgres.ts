import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL server of the test's own, in a temporary folder and on a free port, that the test
 * may stop and start again (the shared server on 5432 is never stopped). Debian's binaries;
 * PostgreSQL refuses to run as root, so as the `postgres` user then.
 */
export interface PrivatePostgres {
  url: string;
  port: number;
  stop(): void;
  /** Stops it as a crash would (immediate shutdown: no checkpoint, every connection cut). */
  crash(): void;
  start(): void;
  destroy(): void;
}

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), 'spie-private-pg-'));
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  mkdirSync(sockets);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(run('id', ['-u', 'postgres']).trim());
    const gid = Number(run('id', ['-g', 'postgres']).trim());
    chownSync(root, uid, gid);
    chownSync(sockets, uid, gid);
  }
  const pg = (tool: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]) : run(join(BIN, tool), args));
  pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const start = () => {
    pg('pg_ctl', ['-D', data, '-l', join(root, 'server.log'), '-w', '-o', `-p ${port} -c listen_addresses=127.0.0.1 -k ${sockets} -c fsync=off`, 'start']);
  };
  const stop = () => {
    pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    crash: () => {
      pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    destroy: () => {
      try {
        stop();
      } catch {
        // Already stopped.
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** A port nothing listens on (just released by the system). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}
