import { type Consortium, seedConsortium } from '../support/consortium.js';
import { consortiumClient } from '../support/http.js';
import { anOpening } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

describe('security headers on every answer', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let parcoursId: string;
  const { post, get } = consortiumClient(() => running, () => consortium);

  beforeAll(async () => {
    running = await startApp();
    consortium = await seedConsortium(running);
    const opening = anOpening({ identity: { firstName: 'Inès', lastName: '<script>alert(1)</script>', birthDate: '1988-07-14' }, entryOn: '2026-03-02' });
    ({ parcoursId } = (await post('cd63-orientation_manager', '/v1/parcours', opening)) as { parcoursId: string });
  });

  afterAll(async () => {
    await running.close();
  });

  function expectHardened(response: Response): void {
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(response.headers.get('x-powered-by')).toBeNull();
  }

  it('on JSON answers, problems and probes alike: nosniff, no framing, a CSP that runs nothing, no X-Powered-By', async () => {
    const answers = [
      await get('cd63-orientation_manager', `/v1/parcours/${parcoursId}`),
      await fetch(`${running.baseUrl}/v1/me`),
      await fetch(`${running.baseUrl}/nowhere`),
      await fetch(`${running.baseUrl}/health`),
    ];
    expect(answers.map((response) => response.status)).toEqual([200, 401, 404, 200]);
    for (const response of answers) {
      expectHardened(response);
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none';style-src 'unsafe-inline';img-src data:;base-uri 'none';form-action 'none';frame-ancestors 'none'",
      );
    }
  });

  it('on the HTML pages the API serves (audit timeline, personal-data export): inline styles allowed, scripts not', async () => {
    for (const [as, path] of [
      ['cd63-auditor', `/v1/audit/parcours/${parcoursId}/timeline`],
      ['cd63-dpo', `/v1/parcours/${parcoursId}/personal-data-export`],
    ] as const) {
      const page = await get(as, path, 'text/html');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expectHardened(page);
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("style-src 'unsafe-inline'");
      expect(csp).not.toMatch(/script-src/);
      const html = await page.text();
      // What the policy allows is all the page needs: styles inline, no script of its own.
      expect(html).toMatch(/<style>/);
      expect(html).not.toMatch(/<script/i);
    }
  });

  it('keeps Swagger UI at /docs working: its page, scripts and styles load from this origin under its own policy', async () => {
    const page = await fetch(`${running.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expectHardened(page);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("img-src 'self' data:");
    const html = await page.text();
    // No inline script (the policy would block it): every script and stylesheet is a file of /docs.
    expect(html.match(/<script>/g)).toBeNull();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((match) => new URL(match[1]!, page.url).toString());
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset.startsWith(`${running.baseUrl}/docs/`)).toBe(true);
      const response = await fetch(asset);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
      // Read to the end: a large answer left unread keeps its connection, and the service's close waits on it.
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    const init = await (await fetch(`${running.baseUrl}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('"openapi"');
  });

  it('on the feed stream too, whose handler writes the raw response itself', async () => {
    const controller = new AbortController();
    const response = await fetch(`${running.baseUrl}/v1/feed/stream`, { headers: await consortium.as('cd63-referent'), signal: controller.signal });
    try {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expectHardened(response);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    } finally {
      controller.abort();
      await response.body?.cancel().catch(() => undefined);
    }
  });
});
