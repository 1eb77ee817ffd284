/**
 * npm run screenshots — each web page, signed in as the persona it is for, photographed by
 * Debian's Chromium into docs/screenshots/ (shown in the README). A sample is written first
 * (scripts/web-sample.ts) in a throw-away embedded database.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../test/support/browser.js';
import { startSample } from './web-sample.js';

const OUT = join(process.cwd(), 'docs', 'screenshots');

const { running, parcoursIds } = await startSample();
const browser = await launchBrowser();
mkdirSync(OUT, { recursive: true });
const shots: { file: string; persona?: string; path: string }[] = [
  { file: 'connexion.png', path: '/web/connexion' },
  { file: 'referent-mes-parcours.png', persona: 'ml-referent', path: '/web/mes-parcours' },
  { file: 'referent-parcours.png', persona: 'ml-referent', path: `/web/parcours/${parcoursIds[0]}` },
  { file: 'coordinateur-territoire.png', persona: 'cd63-coordinator', path: '/web/territoire' },
  { file: 'coordinateur-ruptures.png', persona: 'cd63-coordinator', path: '/web/ruptures' },
  { file: 'coordinateur-caom.png', persona: 'cd63-coordinator', path: '/web/caom' },
  { file: 'auditeur-audit.png', persona: 'cd63-auditor', path: `/web/audit/${parcoursIds[0]}` },
  { file: 'admin-organisation.png', persona: 'ml-partner_admin', path: '/web/organisation' },
];
try {
  for (const shot of shots) {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    if (shot.persona) {
      await page.goto(`${running.baseUrl}/web/connexion`);
      await page.click(`button[data-persona="${shot.persona}"]`);
    }
    await page.goto(`${running.baseUrl}${shot.path}`, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(OUT, shot.file), fullPage: true });
    console.log(`docs/screenshots/${shot.file}`);
    await context.close();
  }
} finally {
  await browser.close();
  await running.close();
}
