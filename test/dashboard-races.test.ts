import { chromium, type Page } from 'playwright-core';
import t from 'tap';
import { CHROMIUM, LAUNCH_ARGS, openDashboard, rowIds, skip } from './dashboard-helpers.js';
import { buildTestApp, getJson } from './helpers.js';

// The dashboard when answers come late, as on a big database (a view took 0.4–4 s at 300,000 recommendations,
// session 39): a user acts before the page has its answers, and what the page then shows must be what was asked
// last. Answers are held by intercepting the page's requests (page.route) and let through when the test says.

// backendNeutral: false — the order of the answers is made in the browser; the rows are the same on either backend
// (test/dashboard.test.ts runs on both): one Chromium pass is enough.

/** Holds the page's requests matching `pattern` until `release`; `reached` resolves once one has been held. */
async function hold(page: Page, pattern: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  await page.route(pattern, async (route) => {
    reach();
    await released;
    await route.continue().catch(() => undefined); // (aborted by the page meanwhile)
  });
  return { release, reached };
}

/** The query of each table the page asks for from now on. */
function tablesAsked(page: Page): string[] {
  const tables: string[] = [];
  page.on('request', (request) => {
    if (/\/v1\/recommendations\?/.test(request.url())) tables.push(new URL(request.url()).search);
  });
  return tables;
}

/** KGZ's view chosen, one of its lists held (returned, to release), and `q=torture` applied while it is. */
async function searchWhileStateLoads(page: Page) {
  const themes = await hold(page, '**/v1/stats/recommendations?stateUnderReview=KGZ&groupBy=theme*');
  await page.selectOption('#view-kind', 'stateUnderReview');
  await themes.reached;
  await page.fill('#filters input[name=q]', 'torture');
  await page.press('#filters input[name=q]', 'Enter');
  await page.waitForURL((url) => url.searchParams.get('q') === 'torture');
  return themes;
}

t.test('in a browser', { skip, timeout: 300_000 }, async (t) => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  t.teardown(() => browser.close());

  t.test('a search made while the view still loads is the one shown', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    const { body: searched } = await getJson(app, '/v1/recommendations?stateUnderReview=KGZ&q=torture&limit=25');
    const { body: all } = await getJson(app, '/v1/recommendations?stateUnderReview=KGZ&limit=25');
    t.ok(searched.meta.total > 0 && searched.meta.total < all.meta.total, 'the search finds some, not all');
    const tables = tablesAsked(page);

    // The state's view is asked for; one of its lists is held, and the user searches meanwhile.
    const themes = await searchWhileStateLoads(page);
    themes.release();
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${searched.meta.total} recommendations? match$`) }).waitFor();
    await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });

    t.equal(new URL(page.url()).search, '?stateUnderReview=KGZ&q=torture', 'the URL names the search');
    t.equal(await page.locator('#filters input[name=q]').inputValue(), 'torture', 'the field keeps it');
    t.same(await rowIds(page), searched.data.map((r: { id: string }) => r.id), 'the rows are the search’s');
    t.match(await page.locator('#csv-link').getAttribute('href'), /stateUnderReview=KGZ&q=torture&format=csv$/, 'and so is the CSV link');
    // The view asks its table beside its lists (session 40: one round); the search's supersedes it.
    t.same(tables, ['?stateUnderReview=KGZ&limit=25', '?stateUnderReview=KGZ&q=torture&limit=25'], 'the view’s table asked at once, then the search’s');

    // Back goes to the view without the search, Forward to it again.
    await page.goBack();
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${all.meta.total} recommendations match$`) }).waitFor();
    t.equal(await page.locator('#filters input[name=q]').inputValue(), '');
    await page.goForward();
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${searched.meta.total} recommendations? match$`) }).waitFor();
    t.same(await rowIds(page), searched.data.map((r: { id: string }) => r.id));
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('Back while the view still loads: the table is the URL’s it is left at', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    const { body: all } = await getJson(app, '/v1/recommendations?stateUnderReview=KGZ&limit=25');
    const tables = tablesAsked(page);

    // The state's view is asked for, a search made while it loads, and Back pressed before it has loaded.
    const themes = await searchWhileStateLoads(page);
    await page.goBack();
    await page.waitForURL((url) => url.search === '?stateUnderReview=KGZ');
    themes.release();
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${all.meta.total} recommendations match$`) }).waitFor();
    await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });

    t.equal(await page.locator('#filters input[name=q]').inputValue(), '', 'the search is gone from the field');
    t.same(await rowIds(page), all.data.map((r: { id: string }) => r.id), 'the rows are the view’s');
    t.same(tables, ['?stateUnderReview=KGZ&limit=25', '?stateUnderReview=KGZ&q=torture&limit=25', '?stateUnderReview=KGZ&limit=25'], 'the view’s, the search’s, the view’s again: the last shown');
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('a view whose URL names a theme asks its table once it has the themes: a search made meanwhile is the one asked', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    const theme = (await getJson(app, '/v1/stats/recommendations?stateUnderReview=KGZ&groupBy=theme')).body.data.find((g: { theme: string | null }) => g.theme).theme;
    const tables = tablesAsked(page);
    const themes = await hold(page, '**/v1/stats/recommendations?stateUnderReview=KGZ&groupBy=theme*');
    await page.goto(page.url().replace(/\?.*/, `?stateUnderReview=KGZ&theme=${theme}`));
    await themes.reached;
    t.same(tables, [], 'no table before the themes offered: the URL’s theme is applied only if offered');
    await page.fill('#filters input[name=q]', 'torture');
    await page.press('#filters input[name=q]', 'Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === 'torture');
    const { body: searched } = await getJson(app, `/v1/recommendations?${new URL(page.url()).searchParams}&limit=25`);
    themes.release();
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${searched.meta.total} recommendations? match$`) }).waitFor();
    await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    t.same(tables, [`${new URL(page.url()).search}&limit=25`], 'one table asked for, the URL’s once the view has its themes');
    t.same(await rowIds(page), searched.data.map((r: { id: string }) => r.id));
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('a view that failed to load still takes a search: the table is asked for', async (t) => {
    const app = await buildTestApp(t);
    const { page } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    const { body: searched } = await getJson(app, '/v1/recommendations?stateUnderReview=KGZ&q=torture&limit=25');
    await page.route('**/v1/stats/recommendations?stateUnderReview=KGZ&groupBy=theme*', (route) =>
      route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Failed', status: 503, detail: 'overloaded' }) }),
    );
    await page.selectOption('#view-kind', 'stateUnderReview');
    await page.locator('#error:not([hidden])').filter({ hasText: /overloaded/ }).waitFor();

    await page.fill('#filters input[name=q]', 'torture');
    await page.press('#filters input[name=q]', 'Enter');
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${searched.meta.total} recommendations? match$`) }).waitFor();
    t.equal(new URL(page.url()).search, '?stateUnderReview=KGZ&q=torture', 'the URL names the search');
    t.same(await rowIds(page), searched.data.map((r: { id: string }) => r.id), 'the rows are the search’s');
  });
});
