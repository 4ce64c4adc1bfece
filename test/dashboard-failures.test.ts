import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Page, type Route } from 'playwright-core';
import t from 'tap';
import { mintKey, send } from './curation-helpers.js';
import { accessibilityViolations, CHROMIUM, LAUNCH_ARGS, openDashboard, rowIds, skip } from './dashboard-helpers.js';
import { buildTestApp, getJson } from './helpers.js';

// The dashboard on a slow, overloaded or half-broken deployment (Debian's Chromium driven by playwright-core):
// each way an answer of the API can fail, made by intercepting the page's requests where the real server cannot
// fail so; a record deleted, a proxy's prefix and hostile URLs on the real server. What the user must see: what
// failed, a way to try again when trying again may help (never a retry by itself), no rows, total or count of
// another query standing as the answer, and the message where the keyboard is.

// backendNeutral: false — the failures are the page's, made in the browser; the rows behind them are the same on
// either backend (test/dashboard.test.ts runs on both): one Chromium pass is enough.

const problem = (status: number, detail: string, headers: Record<string, string> = {}) => (route: Route) =>
  route.fulfill({ status, headers, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Failed', status, detail }) });

/** Shown: the error's text, whether the keyboard is on its "Try again", and whether it offers to try again. */
async function shownError(page: Page): Promise<{ text: string; focused: boolean; again: boolean }> {
  await page.locator('#error:not([hidden])').waitFor();
  return page.evaluate(() => {
    const box = document.querySelector('#error')!;
    const again = box.querySelector('button');
    return { text: box.textContent!, focused: again !== null && document.activeElement === again, again: again !== null };
  });
}

t.test('in a browser', { skip, timeout: 300_000 }, async (t) => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  t.teardown(() => browser.close());

  t.test('the table’s answer failing each way: said, the rows of no query shown, tried again only when asked', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    const { body: all } = await getJson(app, '/v1/recommendations?reviewId=KGZ-3&limit=25');
    const ids = all.data.map((r: { id: string }) => r.id);
    let asked = 0;
    page.on('request', (request) => {
      if (/\/v1\/recommendations\?/.test(request.url())) asked++;
    });
    const cutOff = async (route: Route) => {
      const response = await route.fetch();
      const body = await response.text();
      await route.fulfill({ response, body: body.slice(0, body.length >> 1) });
    };
    const html = (status: number) => (route: Route) => route.fulfill({ status, contentType: 'text/html', body: '<html><body><h1>Bad Gateway</h1><hr>nginx</body></html>' });
    const failures: [string, (route: Route) => Promise<void>, RegExp][] = [
      ['load shed (503, Retry-After)', problem(503, 'the service is overloaded', { 'retry-after': '10' }), /answered 503: the service is overloaded \(the API asks to wait 10 seconds before trying again\)/],
      ['a 500 problem', problem(500, 'an internal error (request 1234)'), /answered 500: an internal error \(request 1234\)/],
      ['rate limited (429)', problem(429, 'too many requests', { 'retry-after': '1' }), /answered 429: too many requests \(the API asks to wait 1 second before/],
      ['no answer (the network)', (route) => route.abort('connectionreset'), /Could not reach the API for \/v1\/recommendations/],
      ['a proxy’s HTML page (502)', html(502), /answered 502: Bad Gateway, not the API’s own answer \(a proxy’s\?\)/],
      ['a proxy’s HTML page (200)', html(200), /\/v1\/recommendations answered with something other than the API’s JSON/],
      ['JSON cut off', cutOff, /\/v1\/recommendations answered with something other than the API’s JSON \(a proxy’s page, or an answer cut off\)/],
    ];
    for (const [name, fail, said] of failures) {
      await page.route('**/v1/recommendations?*', fail);
      const before = asked;
      await page.selectOption('#filters select[name=position]', 'noted');
      await page.click('#filters button[type=submit]');
      const error = await shownError(page);
      t.match(error.text, said, `${name}: what failed`);
      t.ok(error.focused && error.again, `${name}: the message offers to try again, and its button has the keyboard`);
      t.same(await rowIds(page), [], `${name}: no row stands as the answer`);
      t.equal(await page.locator('#recommendations tbody').textContent(), 'The recommendations could not be loaded: see the message above.', `${name}: not said to be the filters’ fault`);
      t.equal(await page.locator('#recommendations-total').textContent(), 'No recommendations shown', `${name}: no count guessed`);
      t.equal(await page.locator('#csv-link').getAttribute('href'), null);
      t.equal(await page.locator('#status').textContent(), '', `${name}: no longer said to be loading`);
      t.equal(asked - before, 1, `${name}: asked once, not again by itself`);
      if (name === 'load shed (503, Retry-After)') t.same(await accessibilityViolations(page, ['#error', '#recommendations']), [], 'the failure passes axe-core');
      await page.unrouteAll({ behavior: 'wait' });
      await page.locator('#error button').click();
      await page.locator('#recommendations-total').filter({ hasText: /^1 recommendation match$/ }).waitFor();
      t.equal(asked - before, 2, `${name}: tried again once, when asked`);
      t.ok(await page.locator('#error').isHidden(), `${name}: the message gone with its cause`);
      t.equal(await page.evaluate(() => document.activeElement?.id), 'recommendations-heading', `${name}: the keyboard is on the recommendations, not lost`);
      await page.selectOption('#filters select[name=position]', '');
      await page.click('#filters button[type=submit]');
      await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${all.meta.total} recommendations`) }).waitFor();
      t.same(await rowIds(page), ids);
    }

    // A filter the API refuses would be refused again: its message offers no retry, and says the filters are at fault.
    await page.fill('#filters input[name=q]', 'a*');
    await page.click('#filters button[type=submit]');
    const refused = await shownError(page);
    t.match(refused.text, /answered 400: .*a prefix needs at least 3/);
    t.notOk(refused.again, 'a 400 is not offered again');
    t.equal(await page.locator('#recommendations tbody').textContent(), 'These filters could not be applied: see the message above.');
    t.same(problems().filter((p) => p.startsWith('page error')), [], 'no error of the page’s own (an unhandled rejection, say)');
  });

  t.test('an answer that never comes is given up, and said so', async (t) => {
    const app = await buildTestApp(t);
    const { page, address, aborted, problems } = await openDashboard(t, app, browser, '/dashboard/', { loaded: false });
    await page.clock.install();
    await page.goto(`${address}/dashboard/?review=KGZ-3`);
    await page.locator('#recommendations tbody tr[data-id]').first().waitFor();
    const held: Route[] = [];
    await page.route('**/v1/recommendations?*', (route) => void held.push(route));
    await page.selectOption('#filters select[name=position]', 'noted');
    await page.click('#filters button[type=submit]');
    await page.locator('#status', { hasText: 'Loading recommendations…' }).waitFor();
    await page.clock.fastForward(44_000);
    t.equal(await page.locator('#status').textContent(), 'Loading recommendations…', 'still awaited before its time is up');
    await page.clock.fastForward(1_000);
    const error = await shownError(page);
    t.match(error.text, /\/v1\/recommendations did not answer within 45 seconds/);
    t.ok(error.again, 'and may be tried again');
    t.equal(await page.locator('#status').textContent(), '', 'no longer said to be loading');
    t.ok(aborted.some((url) => url.includes('position=noted')), 'the request given up is aborted, not left open');
    t.equal(held.length, 1);
    t.same(problems(), [], 'no console error and no failed request (the one given up was aborted)');
  });

  t.test('the first load failing is said and may be tried again; a list that failed once is asked again', async (t) => {
    const app = await buildTestApp(t);
    const { page, address, problems } = await openDashboard(t, app, browser, '/dashboard/', { loaded: false });
    await page.route('**/v1/reviews?*', problem(503, 'the service is overloaded', { 'retry-after': '5' }));
    await page.route('**/v1/themes', problem(500, 'an internal error'));
    await page.goto(`${address}/dashboard/?review=KGZ-3`);
    const first = await shownError(page);
    t.match(first.text, /\/v1\/reviews answered 503: the service is overloaded/);
    t.ok(first.focused && first.again);
    t.same(await accessibilityViolations(page), [], 'the page that failed to load passes axe-core');
    // Tried again: the page is loaded again (nothing of it was shown); now the themes fail, then nothing does.
    await page.unroute('**/v1/reviews?*');
    await page.locator('#error button').click();
    const themes = await shownError(page);
    t.match(themes.text, /\/v1\/themes answered 500: an internal error/);
    await page.unroute('**/v1/themes');
    // Another view asks for the themes again (a failure was kept: every view after it failed the same).
    await page.selectOption('#view-kind', 'stateUnderReview');
    await page.locator('#recommendations tbody tr[data-id]').first().waitFor();
    t.ok(await page.locator('#error').isHidden(), 'the next view loads');
    t.ok((await page.locator('#filters select[name=theme] option').count()) > 1, 'with its themes');
    t.same(problems().filter((p) => !/\b(503|500)\b/.test(p)), [], 'no console error and no failed request but those refused');
  });

  t.test('a recommendation deleted between the list and its detail', async (t) => {
    const app = await buildTestApp(t);
    const admin = mintKey(app, 'admin', 'admin');
    t.equal((await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'ISL', cycle: 1 } })).response.statusCode, 201);
    const create = async (text: string) =>
      (await send(app, 'POST', '/v1/recommendations', {
        key: admin,
        body: { reviewId: 'ISL-1', text, verbatim: true, recommendingStates: ['FIN'], sources: [{ title: 'Report', publisher: 'Human Rights Council', url: 'https://example.org/r' }] },
      })).body.id as string;
    const gone = await create('Abolish the death penalty');
    const kept = await create('Ratify the Optional Protocol to the Convention against Torture');
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=ISL-1');
    const { response } = await send(app, 'DELETE', `/v1/recommendations/${gone}`, { key: admin, headers: { 'if-match': '*' } });
    t.equal(response.statusCode, 204);
    await page.click(`#recommendations tbody tr[data-id="${gone}"] button`);
    const error = await shownError(page);
    t.match(error.text, new RegExp(`/v1/recommendations/${gone} answered 404: .*${gone}`));
    t.notOk(error.again, 'not offered again: it would be answered the same');
    // Said by the alert alone: focused too, a screen reader said it twice. The keyboard stays on the row.
    t.ok(await page.locator(`#recommendations tbody tr[data-id="${gone}"] button`).evaluate((button) => button === document.activeElement), 'the keyboard stays on the row');
    t.ok(await page.locator('#detail').isHidden(), 'no detail shown for it');
    t.notOk(new URL(page.url()).searchParams.has('recommendation'), 'nor put in the URL');
    t.equal(await page.locator('#status').textContent(), '', 'no longer said to be loading');
    await page.click(`#recommendations tbody tr[data-id="${kept}"] button`);
    await page.locator('#detail:not([hidden]) #related').waitFor();
    t.ok(await page.locator('#error').isHidden(), 'the failure of another detail is no longer shown once one opens');
    const failed = problems();
    t.ok(failed.length > 0 && failed.every((p) => p.includes('404')), `only the deleted record’s request: ${failed.join('; ')}`);
  });

  t.test('under a proxy’s prefix (/api): the page, its API requests, links and history', async (t) => {
    const app = await buildTestApp(t);
    const { page, address, problems } = await openDashboard(t, app, browser);
    const upstream = new URL(address);
    // A proxy that strips /api, as nginx's `location /api/ { proxy_pass http://upstream/; }` does.
    const proxy = createServer((request, response) => {
      if (!request.url!.startsWith('/api/')) return void response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: request.url!.slice(4), method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(response);
      });
      request.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
    proxy.unref();
    const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api`;
    await page.goto(`${base}/dashboard?review=KGZ-3&position=noted`);
    await page.locator('#recommendations-total').filter({ hasText: /^1 recommendation match$/ }).waitFor();
    t.equal(page.url(), `${base}/dashboard/?review=KGZ-3&position=noted`, 'its folder, the query kept');
    t.equal(await page.locator('#csv-link').evaluate((a) => (a as HTMLAnchorElement).href), `${base}/v1/recommendations?reviewId=KGZ-3&position=noted&format=csv`);
    t.equal(await page.locator('.lead a').evaluate((a) => (a as HTMLAnchorElement).href), `${base}/docs`);
    const [id] = await rowIds(page);
    await page.click(`#recommendations tbody tr[data-id="${id}"] button`);
    await page.locator('#detail:not([hidden]) #related').waitFor();
    t.equal(page.url(), `${base}/dashboard/?review=KGZ-3&position=noted&recommendation=${id}`);
    await page.goBack();
    await page.locator('#detail').waitFor({ state: 'hidden' });
    t.equal(page.url(), `${base}/dashboard/?review=KGZ-3&position=noted`);
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('an empty database, one review only, a huge total, a long word in other scripts, hostile URLs', async (t) => {
    const app = await buildTestApp(t);
    const { page, address, problems } = await openDashboard(t, app, browser, '/dashboard/', { loaded: false });
    const onlyReviews = (keep: (review: { id: string }) => boolean) => async (route: Route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.data = body.data.filter(keep);
      body.meta.total = body.data.length;
      await route.fulfill({ response, json: body });
    };
    await page.route('**/v1/reviews?*', onlyReviews(() => false));
    await page.goto(`${address}/dashboard/`);
    await page.locator('#status', { hasText: 'No review is stored yet.' }).waitFor();
    t.same(
      await page.$$eval('.chooser, main > section, #filters button, #next-page', (parts) => parts.filter((part) => (part as HTMLElement).checkVisibility()).length),
      0,
      'nothing to choose, chart, filter or page through',
    );
    await page.unrouteAll({ behavior: 'wait' });

    // One review, not the default one: it is shown.
    const { response } = await send(app, 'POST', '/v1/reviews', { key: mintKey(app, 'admin', 'admin'), body: { stateUnderReview: 'ISL', cycle: 1 } });
    t.equal(response.statusCode, 201);
    await page.route('**/v1/reviews?*', onlyReviews((review) => review.id === 'ISL-1'));
    await page.goto(`${address}/dashboard/`);
    await page.locator('#recommendations-total').filter({ hasText: /^0 recommendations match$/ }).waitFor();
    t.equal(await page.locator('#review').inputValue(), 'ISL-1');
    t.equal(await page.locator('#recommendations tbody').textContent(), 'No recommendation matches these filters.');
    await page.unrouteAll({ behavior: 'wait' });

    // A total as a large corpus gives it: its digits grouped.
    await page.route('**/v1/recommendations?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.meta.total = 123_456_789;
      await route.fulfill({ response, json: body });
    });
    await page.goto(`${address}/dashboard/?review=KGZ-3`);
    await page.locator('#recommendations-total').filter({ hasText: /^123,456,789 recommendations match$/ }).waitFor();
    await page.unrouteAll({ behavior: 'wait' });

    // A source's title as one long word (a URL, say), in right-to-left and CJK scripts: the timeline wraps it at 360 px.
    await page.route('**/v1/developments?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      for (const development of body.data) for (const source of development.sources) source.title = `${'الجمهورية العربية السورية'} ${'中华人民共和国'.repeat(20)}${'x'.repeat(300)}`;
      await route.fulfill({ response, json: body });
    });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${address}/dashboard/?review=KGZ-3`);
    await page.locator('#timeline li[data-id] a').first().waitFor();
    await page.locator('#recommendations tbody tr[data-id]').first().waitFor();
    t.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360, 'the page stays 360 px wide');
    await page.unrouteAll({ behavior: 'wait' });
    await page.setViewportSize({ width: 1280, height: 900 });

    // A shared URL with markup in the text filter: shown as the field's text, run nowhere; one too long for the API:
    // its refusal; repeated and unknown keys: said not applied.
    const markup = '<img src=x onerror=window.ran=1>';
    await page.goto(`${address}/dashboard/?review=KGZ-3&q=${encodeURIComponent(markup)}`);
    await page.locator('#recommendations-total').filter({ hasText: /^0 recommendations match$/ }).waitFor();
    t.equal(await page.locator('#filters input[name=q]').inputValue(), markup);
    t.equal(await page.evaluate(() => (window as unknown as { ran?: number }).ran), undefined, 'no markup of the URL ran');
    await page.goto(`${address}/dashboard/?review=KGZ-3&q=${'a'.repeat(10_000)}`);
    const long = await shownError(page);
    t.match(long.text, /answered 400: Invalid query parameter "q": Too long/);
    t.notOk(long.again);
    await page.goto(`${address}/dashboard/?review=KGZ-3&review=KGZ-1&position=noted&position=supported&utm_source=x`);
    await page.locator('#recommendations-total').filter({ hasText: /^1 recommendation match$/ }).waitFor();
    t.equal(await page.locator('#status').textContent(), 'Not applied (this view has no such filter or option, and takes one value per filter): review=KGZ-1, position=supported, utm_source=x');
    t.same(problems().filter((p) => !/400/.test(p)), [], 'no console error and no failed request but the refused one');
  });
});
