import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A service that cannot start says what failed, on one line of its log, and exits non-zero
 * (issue 12, finding 8): the real entry point, in a process of its own.
 */
describe('a failed start', () => {
  let dataDir: string;
  let occupied: Server;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'spie-start-'));
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => occupied.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the cause on a fatal log line when the port is taken, and exits 1', async () => {
    const { port } = occupied.address() as { port: number };
    const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', join(import.meta.dirname, '../../src/main.ts')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', MASTER_KEY: '', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    const lines = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; context?: string; msg?: string; err?: Record<string, unknown> });
    expect(lines.at(-1)).toMatchObject({ level: 60, context: 'Main', err: { type: 'Error', code: 'EADDRINUSE' } });
    expect(lines.at(-1)!.msg).toBe(`Error EADDRINUSE: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    // One line on stderr, not Node's dump of the error object.
    expect(stderr).toContain(`spie-parcours could not start: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`);
    expect(stderr).not.toMatch(/errno|syscall|at .*\.js:\d+/);
  }, 120_000);
});
