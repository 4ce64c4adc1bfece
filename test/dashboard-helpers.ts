import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { AxeResults, ElementContext, RunOptions } from 'axe-core';
import type { Browser, Page, Request, Response } from 'playwright-core';
import type { Test } from 'tap';

// The dashboard's browser tests' own helpers (test/dashboard.test.ts, test/dashboard-failures.test.ts): Debian's
// Chromium, a page on the app with every error it meets, and axe-core's checks.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const skip = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH): the browser tests are skipped`;
if (skip) console.error(`# SKIPPED: ${skip}`);

export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The app listening on a free loopback port, a browser page on it (`loaded`: once its table is shown), and every
 * error the page meets. */
export async function openDashboard(t: Test, app: FastifyInstance, browser: Browser, path = '/dashboard/', { loaded = true } = {}) {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  t.teardown(() => page.close());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  // A link that the browser turns into a download ends its navigation as "aborted": that is no failure.
  const downloads = new Set<string>();
  page.on('download', (download) => downloads.add(download.url()));
  // A fetch of the API that fails as aborted was aborted by the page: a load superseded by a newer one (the page is
  // never left with requests in flight, see `leave`); those are listed apart, for the tests to check.
  const failed: { url: string; error: string | undefined }[] = [];
  const aborted: string[] = [];
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText;
    if (error === 'net::ERR_ABORTED' && request.resourceType() === 'fetch' && new URL(request.url()).pathname.startsWith('/v1/')) aborted.push(request.url());
    else failed.push({ url: request.url(), error });
  });
  const problems = () => [
    ...errors,
    ...failed
      .filter(({ url, error }) => !(downloads.has(url) && error === 'net::ERR_ABORTED'))
      .map(({ url, error }) => `request failed: ${url} (${error})`),
  ];
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} for ${response.url()}`);
  });
  // Requests in flight: a page left while some are (a link followed, another view opened by its URL) aborts them,
  // which is no failure of the page's; `leave` waits for none before going.
  const { settled } = requestsInFlight(page);
  const leave = async (query: string) => {
    await settled();
    await page.goto(page.url().replace(/\?.*/, query));
  };
  await page.goto(`${address}${path}`);
  if (loaded) {
    await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    await page.locator('#recommendations tbody tr').first().waitFor();
  }
  return { page, problems, leave, settled, aborted, address };
}

/**
 * Counts `page`'s requests from now on: `settled()` resolves once none is in flight. The rows shown and the status
 * empty do not say a view has loaded: the table's answer empties the status while the charts', the timeline's and
 * the filters' answers (asked at the same time) may still be on their way (session 41: dashboard-revisit closed
 * its first visit with them in flight, and its second visit asked them again).
 */
export function requestsInFlight(page: Page) {
  let inFlight = 0;
  let waiting: (() => void)[] = [];
  const done = () => {
    if (--inFlight > 0) return;
    for (const resolve of waiting) resolve();
    waiting = [];
  };
  page.on('request', () => inFlight++);
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return { settled: () => (inFlight > 0 ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve()) };
}

/** axe-core's rules of WCAG 2.0 and 2.1, levels A and AA; only violations are detailed (axe then builds no selector
 * for each element that passes). */
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_A_AA: RunOptions = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] };
const axeRouted = new WeakSet<Page>();

/** axe-core's WCAG 2.1 A and AA violations on the page as it is now, or in the parts of it `include` selects,
 * each named by rule, impact and the selectors of the elements at fault, with axe's account of what is wrong (what
 * a developer needs to find and fix it). */
export async function accessibilityViolations(page: Page, include?: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    // The page's policy (script-src 'self') refuses an inline script, as addScriptTag({ path }) adds: axe-core comes
    // as a file of the page's own origin instead, and the policy stays the one served.
    if (!axeRouted.has(page)) await page.route('**/dashboard/axe.min.js', (route) => route.fulfill({ path: AXE, contentType: 'text/javascript' }));
    axeRouted.add(page);
    await page.addScriptTag({ url: '/dashboard/axe.min.js' });
  }
  // What the last layout changed is on the page once a frame has been drawn after it (resize observers run after
  // a frame's animation callbacks): two frames.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const results = await page.evaluate(
    ([include, options]) =>
      (window as unknown as { axe: { run: (context: ElementContext, options: RunOptions) => Promise<AxeResults> } }).axe.run(include ? { include } : document, options),
    [include ?? null, WCAG_A_AA] as const,
  );
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ')}]` : ''}`).join('; ')}`,
  );
}

export const rowIds = (page: Page) => page.$$eval('#recommendations tbody tr[data-id]', (rows) => rows.map((row) => (row as HTMLElement).dataset.id!));

/** The page's API requests from now on, each with its round: 1 + the highest round among the answers the page had
 * (their headers) when it was sent, 1 before any. Requests sent together, none waiting for another's answer, are one
 * round; a request that needs an answer comes after it. Counted from the order of the browser's events, never from
 * their times. */
export function apiRounds(page: Page) {
  const asked: { path: string; round: number }[] = [];
  const rounds = new Map<Request, number>();
  let answered = 0;
  const sent = (request: Request) => {
    const url = new URL(request.url());
    if (!url.pathname.includes('/v1/')) return;
    rounds.set(request, answered + 1);
    asked.push({ path: `${url.pathname}${url.search}`, round: answered + 1 });
  };
  const got = (request: Request) => (answered = Math.max(answered, rounds.get(request) ?? 0));
  const onResponse = (response: Response) => got(response.request());
  page.on('request', sent);
  page.on('response', onResponse);
  page.on('requestfailed', got);
  return {
    asked,
    /** The highest round, and stops counting. */
    stop() {
      page.off('request', sent);
      page.off('response', onResponse);
      page.off('requestfailed', got);
      return Math.max(0, ...asked.map((a) => a.round));
    },
  };
}
