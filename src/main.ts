import { ConfigError, loadConfig } from './config/app-config.js';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import pino from 'pino';
import { PinoNestLogger, createLogger, readableOnTerminal } from './http/logging.js';

// One destination for every line the process writes on stdout, the application's and the fatal
// one: two streams on one descriptor each buffer on their own, so the order of their lines (and
// whether the last is written at all before process.exit) would be left to chance.
const stdout = pino.destination({ dest: 1, sync: false });
// JSON lines for a log collector; readable lines when a person watches a terminal.
const logLines = readableOnTerminal(stdout);

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config, { logDestination: logLines });
  // A worker beside an api process on one machine: each its own port (the worker's serves probes and metrics).
  const port = config.processRole === 'worker' ? config.workerPort : config.port;
  await app.listen(port, config.host);
  const database = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  new Logger('Main').log(`spie-parcours (${config.processRole}) listening on http://${config.host}:${port}, database: ${database}`);
}

try {
  await main();
} catch (error) {
  // What Nest does not catch itself (app.listen runs the bootstrap hooks, then binds the port):
  // one line through the service's logger, which says what failed and keeps a database error's
  // SQLSTATE, not its detail; Node would print every property of the error on stderr.
  new PinoNestLogger(createLogger({ logLevel: 'info' }, logLines)).fatal(error, 'Main');
  // process.exit does not wait for an asynchronous write: what is buffered is written now.
  stdout.flushSync();
  // And one line an operator can act on where a terminal shows it (a database that cannot be
  // reached, a key file others can read…), rather than Node's dump of the error object.
  process.stderr.write(`spie-parcours could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
