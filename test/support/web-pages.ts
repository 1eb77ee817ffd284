import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { type Consortium, seedConsortium } from './consortium.js';
import { type RunningApp, startApp } from './test-app.js';

export interface WebPagesRun {
  running: RunningApp;
  consortium: Consortium;
  browser: Browser;
}

/**
 * The service as the web pages' suites run it, local sign-in on (the personas' list) and no rate
 * limit to speak of, with the seeded consortium; and a browser, launched meanwhile.
 */
export async function startWebPages(): Promise<WebPagesRun> {
  const [running, browser] = await Promise.all([startApp({ WEB_LOCAL_SIGN_IN: 'on', RATE_LIMIT_PER_MINUTE: '1000000' }), launchBrowser()]);
  try {
    return { running, browser, consortium: await seedConsortium(running) };
  } catch (error) {
    await closeWebPages({ running, browser });
    throw error;
  }
}

/** Closes what `startWebPages` started; what it never got to start (a failed beforeAll) is skipped. */
export async function closeWebPages({ running, browser }: Partial<WebPagesRun>): Promise<void> {
  await browser?.close();
  await running?.close();
}
