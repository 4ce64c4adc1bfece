import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import t from 'tap';
import { DASHBOARD_DIR } from '../src/dashboard/routes.js';
import { CHROMIUM, LAUNCH_ARGS, requestsInFlight, skip } from './dashboard-helpers.js';
import { buildTestApp } from './helpers.js';

// What a returning visitor downloads: the script and stylesheet are named after their content and kept for good;
// the page is asked each time and answered 304 while it is the same build; the API's answers carry ETags and
// max-age=60, so that the browser asks again with If-None-Match once they are stale.

const built = readFileSync(`${DASHBOARD_DIR}index.html`, 'utf8');
const assets = [...built.matchAll(/(?:href|src)="(app-[^"]+)"/g)].map((m) => m[1]!);

t.test('the page names its files by content: they are kept for good, the page revalidated', async (t) => {
  t.equal(assets.length, 2, `the page names a script and a stylesheet by content: ${assets.join(', ')}`);
  const app = await buildTestApp(t);
  for (const asset of assets) {
    const response = await app.inject(`/dashboard/${asset}`);
    t.equal(response.statusCode, 200, asset);
    t.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable', `${asset}: kept for good`);
  }
  for (const url of ['/dashboard/', '/dashboard/index.html']) {
    const page = await app.inject(url);
    t.equal(page.headers['cache-control'], 'no-cache', `${url}: asked each time`);
    const again = await app.inject({ url, headers: { 'if-none-match': String(page.headers.etag) } });
    t.equal(again.statusCode, 304, `${url}: and a 304 for its ETag`);
  }
});

t.test('a second visit in Chromium', { skip, timeout: 120_000 }, async (t) => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  t.teardown(() => browser.close());
  const app = await buildTestApp(t);
  const served: { url: string; status: number; conditional: boolean }[] = [];
  app.addHook('onResponse', async (request, reply) => {
    served.push({ url: request.url, status: reply.statusCode, conditional: request.headers['if-none-match'] !== undefined });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const context = await browser.newContext();
  const visit = async () => {
    const page = await context.newPage();
    const { settled } = requestsInFlight(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let bytes = 0;
    cdp.on('Network.loadingFinished', (event) => (bytes += event.encodedDataLength));
    const from = served.length;
    await page.goto(`${address}/dashboard/?stateUnderReview=KGZ`);
    await page.locator('#recommendations tbody tr[data-id]').first().waitFor();
    await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    // Every answer of the view in: none is cut off by the close (then never cached) or lands in the next visit's.
    await settled();
    await page.close();
    return { bytes, served: served.slice(from) };
  };
  const first = await visit();
  t.same(first.served.filter((s) => /\/app-/.test(s.url)).map((s) => s.status), [200, 200], 'the first visit downloads the script and the stylesheet');
  const second = await visit();
  t.same(second.served.filter((s) => /\/app-/.test(s.url)), [], 'the second asks for neither');
  t.same(second.served.filter((s) => s.url.startsWith('/dashboard/')).map((s) => [s.status, s.conditional]), [[304, true]], 'the page: a 304');
  // Within their 60 s the API's answers are the browser's; past them, asked again with their ETags: 304s.
  t.same(second.served.filter((s) => s.url.startsWith('/v1/') && !(s.status === 304 && s.conditional)), [], 'no API answer downloaded again');
  t.ok(second.bytes * 20 < first.bytes, `${second.bytes} bytes on the wire, ${first.bytes} the first time`);
  await context.close();
});
