import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import t from 'tap';
import { buildTestApp, getJson } from './helpers.js';

// backendNeutral: false — the page and its document are the same on either backend: one Chromium start is enough
// (the answer "Try it out" shows is compared with the API's on the same app).

// /docs (Swagger UI) in a real browser, as a new user opens it: it renders under the service's own policy with no
// violation, no console error and no failed request, every request stays on the host (its files are served
// locally), a deep link opens its operation, and "Try it out" on a GET shows the API's answer.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH): the browser test is skipped`;
if (skip) console.error(`# SKIPPED: ${skip}`);

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

t.test('/docs renders under its policy, on this host alone, and "Try it out" answers', { skip, timeout: 120_000 }, async (t) => {
  const app = await buildTestApp(t);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('request', (request) => requests.push(request.url()));
  // Chromium logs a refused resource as a console error too; the event also names the directive.
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (event) => console.error(`policy violation: ${event.violatedDirective} ${event.blockedURI}`)),
  );

  const response = await page.goto(`${address}/docs#/recommendations/listRecommendations`);
  t.equal(response?.status(), 200);
  const operation = page.locator('#operations-recommendations-listRecommendations');
  await operation.locator('.try-out__btn').waitFor();
  t.ok(await operation.locator('.opblock-body').isVisible(), 'the deep link opens its operation');
  t.equal(await page.title(), 'upr-tracker API reference');
  t.ok((await page.locator('.opblock').count()) > 40, 'every operation is listed');

  await operation.locator('.try-out__btn').click();
  await operation.locator('tr[data-param-name="q"] input').fill('Askarov');
  await operation.locator('tr[data-param-name="limit"] input').fill('2');
  await operation.locator('button.execute').click();
  const status = operation.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor();
  t.equal((await status.textContent())?.trim(), '200');
  const { body } = await getJson(app, '/v1/recommendations?q=Askarov&limit=2');
  t.ok(body.data.length > 0, 'the seed has an answer to show');
  const shown = await operation.locator('.live-responses-table tbody .response-col_description pre').first().textContent();
  t.same(JSON.parse(shown!), body, 'the answer shown is the API’s');

  t.same(problems, [], 'no policy violation, console error or failed request');
  const origin = new URL(address).origin;
  t.same(requests.filter((url) => new URL(url).origin !== origin), [], `all ${requests.length} requests stay on the host`);
});
