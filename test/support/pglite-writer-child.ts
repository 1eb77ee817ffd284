/**
 * Opens the embedded database in the folder named by argv[2] (fsync as argv[3] says: on/off),
 * commits argv[4] single-row transactions, then says "done" and exits. Run under strace by the
 * durability test, which counts the fsyncs the kernel saw.
 */
import { PgliteSqlClient } from '../../src/database/pglite-sql-client.js';

const [dataDir, fsync, commits] = process.argv.slice(2);
const db = await PgliteSqlClient.open(dataDir!, { fsync: fsync === 'on' });
await db.exec('CREATE TABLE IF NOT EXISTS acknowledged (n integer)');
// What the count is about: only the commits, not the opening and the table above.
process.stdout.write('writing\n');
for (let n = 0; n < Number(commits); n += 1) await db.query('INSERT INTO acknowledged VALUES ($1)', [n]);
process.stdout.write('done\n');
await db.close();
