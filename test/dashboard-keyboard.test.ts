import { chromium, type Page } from 'playwright-core';
import t from 'tap';
import { accessibilityViolations, CHROMIUM, LAUNCH_ARGS, openDashboard, rowIds, skip } from './dashboard-helpers.js';
import { buildTestApp, getJson } from './helpers.js';
import { entryRow, HEADER_ROW, importInto, matrixDocx } from './import-helpers.js';

// The dashboard used with the keyboard alone and heard through a screen reader (Debian's Chromium driven by
// playwright-core): where the keyboard is after each action, and what the page's live regions say, and when.

// backendNeutral: false — what is checked is the page's focus and live regions; the rows behind them are the same
// on either backend (test/dashboard.test.ts runs on both): one Chromium pass is enough.

/** Where the keyboard is: the focused element's id, or its tag when it has none (BODY: nowhere). */
const focused = (page: Page) => page.evaluate(() => document.activeElement!.id || document.activeElement!.tagName);

/** Records each text the page's live regions come to hold (what a screen reader announces), in order. */
async function listen(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    for (const region of document.querySelectorAll<HTMLElement>('[role=status], [role=alert], [aria-live]')) {
      new MutationObserver(() => {
        const text = region.textContent!.trim();
        if (text && !region.hidden) said.push(`${region.id}: ${text}`);
      }).observe(region, { childList: true, subtree: true, characterData: true });
    }
  });
  return () => page.evaluate(() => (window as unknown as { said: string[] }).said.splice(0));
}

t.test('in a browser', { skip, timeout: 300_000 }, async (t) => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  t.teardown(() => browser.close());

  t.test('paging by the keyboard: it stays on the pager, and the rows shown are said', async (t) => {
    const app = await buildTestApp(t);
    const entries = Array.from({ length: 30 }, (_, i) => entryRow({ text: `121.${i + 1} Ratify instrument number ${i + 1} (France);`, position: 'Supported' }));
    t.same((await importInto(app, await matrixDocx([HEADER_ROW, ...entries]))).reviewsCreated, ['SVN-3']);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=SVN-3');
    const said = await listen(page);
    t.equal(await page.locator('#results').textContent(), '30 recommendations match, page 1: rows 1–25');

    // While the next page loads the button cannot be used, and it keeps the keyboard (a disabled button lost it to
    // the page's body: the keyboard was nowhere, and a screen reader said nothing of where).
    let letThrough!: () => void;
    const held = new Promise<void>((resolve) => (letThrough = resolve));
    await page.route('**/v1/recommendations?*', async (route) => {
      await held;
      await route.continue();
    });
    await page.focus('#next-page');
    await page.keyboard.press('Enter');
    await page.locator('#status', { hasText: 'Loading recommendations' }).waitFor();
    t.equal(await focused(page), 'next-page', 'the keyboard stays on Next while its page loads');
    t.ok(await page.locator('#next-page').isDisabled(), 'Next cannot be used meanwhile');
    t.ok(await page.locator('#previous-page').isDisabled());
    letThrough();
    await page.locator('#page-number').filter({ hasText: 'Page 2' }).waitFor();
    await page.unrouteAll();
    const { body: second } = await getJson(app, `/v1/recommendations?reviewId=SVN-3&limit=25&cursor=${(await getJson(app, '/v1/recommendations?reviewId=SVN-3&limit=25')).body.meta.nextCursor}`);
    t.same(await rowIds(page), second.data.map((r: { id: string }) => r.id));
    t.equal(await focused(page), 'next-page', 'on the last page the keyboard is still on Next');
    t.ok(await page.locator('#next-page').isDisabled(), 'which says it cannot be used');
    t.match(await page.locator('.pager').ariaSnapshot(), /button "Next page" \[disabled\]/, 'a screen reader is told so');
    t.same(await accessibilityViolations(page, ['.pager', '#results']), [], 'the pager and the count: no WCAG 2.1 A/AA violation axe-core finds');
    t.same(await said(), ['status: Loading recommendations…', 'results: 30 recommendations match, page 2: rows 26–30'], 'the rows shown are said once');
    // Pressed again, it does nothing.
    const url = page.url();
    await page.keyboard.press('Enter');
    await page.keyboard.press(' ');
    t.equal(await page.locator('#page-number').textContent(), 'Page 2');
    t.equal(page.url(), url);
    t.same(await said(), [], 'and says nothing');

    await page.keyboard.press('Shift+Tab');
    t.equal(await focused(page), 'previous-page', 'Shift-Tab goes back to Previous');
    await page.keyboard.press(' ');
    await page.locator('#page-number').filter({ hasText: 'Page 1' }).waitFor();
    t.equal(await focused(page), 'previous-page', 'on the first page the keyboard is still on Previous');
    t.ok(await page.locator('#previous-page').isDisabled());
    t.same(await said(), ['status: Loading recommendations…', 'results: 30 recommendations match, page 1: rows 1–25']);
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('the first Tab shows a link that skips to the recommendations, past the chooser and the timeline', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?stateUnderReview=KGZ');
    const before = await page.evaluate(() => [window.location.href, history.length] as const);
    await page.keyboard.press('Tab');
    t.equal(await focused(page), 'skip-to-recommendations', 'the first stop of the page');
    const shown = await page.evaluate(() => {
      const link = document.activeElement!;
      const box = link.getBoundingClientRect();
      const style = getComputedStyle(link);
      return { text: link.textContent, inView: box.top >= 0 && box.bottom <= innerHeight && box.width > 0, ring: link.matches(':focus-visible') && style.outlineStyle !== 'none' };
    });
    t.same(shown, { text: 'Skip to the recommendations', inView: true, ring: true }, 'in sight, with the focus ring');
    await page.keyboard.press('Enter');
    t.equal(await focused(page), 'recommendations-heading', 'Enter takes the keyboard to the recommendations');
    t.same(await page.evaluate(() => [window.location.href, history.length] as const), before, 'the URL and the history are the view’s');
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement!.closest('#filters') !== null && document.activeElement!.tagName), 'SELECT', 'the next Tab is the first filter');
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('in forced colours (a black high-contrast theme), the charts are drawn in the theme’s text colour', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems, leave } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    await page.emulateMedia({ forcedColors: 'active', colorScheme: 'dark' });
    await leave('?review=KGZ-3');
    await page.locator('#recommendations tbody tr').first().waitFor();
    await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    t.equal(await page.evaluate(() => getComputedStyle(document.body).color), 'rgb(255, 255, 255)', 'the theme’s text is white');
    // The charts' own colours are no white: their labels and grid, in the theme's colour, are each chart's white pixels.
    const inked = await page.evaluate(() =>
      ['positions', 'implementation'].map((name) => {
        const canvas = document.querySelector<HTMLCanvasElement>(`#${name}-chart`)!;
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let white = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! > 230 && data[i + 1]! > 230 && data[i + 2]! > 230 && data[i + 3]! > 230) white++;
        return white;
      }),
    );
    t.ok(inked.every((white) => white > 100), `the labels are drawn white: ${inked.join(', ')} white pixels`);
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('at 320 px (1,280 at 400 %), with WCAG 1.4.12’s text spacing: no view scrolls sideways', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems, leave } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    await page.setViewportSize({ width: 320, height: 256 });
    for (const query of ['?review=KGZ-3&recommendation=KGZ-3-FIN-1', '?stateUnderReview=KGZ', '?recommendingState=GBR']) {
      await leave(query);
      await page.locator('#recommendations tbody tr[data-id]').first().waitFor();
      await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
      if (query.includes('recommendation=')) await page.locator('#detail:not([hidden]) #related').waitFor();
      const widths = await page.evaluate(async () => {
        const spacing = new CSSStyleSheet();
        spacing.replaceSync('* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; } p { margin-bottom: 2em !important; }');
        const plain = document.documentElement.scrollWidth;
        document.adoptedStyleSheets = [spacing];
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        return [plain, document.documentElement.scrollWidth, document.documentElement.clientWidth, getComputedStyle(document.body).wordSpacing];
      });
      t.same(widths, [320, 320, 320, '2.56px'], `${query}: the page is as wide as the screen, and stays so with the text spaced`);
    }
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('a failure is said once; after "Try again" the keyboard goes to the recommendations once they have come', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    const said = await listen(page);
    await page.route('**/v1/recommendations?*', (route) =>
      route.fulfill({ status: 503, headers: { 'retry-after': '10' }, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Failed', status: 503, detail: 'the service is overloaded' }) }),
    );
    await page.selectOption('#filters select[name=position]', 'supported');
    await page.focus('#filters button[type=submit]');
    await page.keyboard.press('Enter');
    await page.locator('#error:not([hidden])').waitFor();
    // A screen reader says the text of a live region as it changes, and the text of the element that takes the
    // keyboard: the message in both was said twice.
    const message = 'the service is overloaded';
    const focus = await page.evaluate(() => ({ id: document.activeElement!.closest('[id]')!.id, tag: document.activeElement!.tagName, text: document.activeElement!.textContent }));
    t.same(focus, { id: 'error', tag: 'BUTTON', text: 'Try again' }, 'the keyboard is on "Try again", beside the message');
    const announced = (await said()).filter((text) => text.includes(message)).length + (focus.text!.includes(message) ? 1 : 0);
    t.equal(announced, 1, 'the message is said once');

    await page.unrouteAll({ behavior: 'wait' });
    await page.keyboard.press('Enter');
    await page.locator('#recommendations-total').filter({ hasText: /match$/ }).waitFor();
    await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    t.equal(await focused(page), 'recommendations-heading', 'the keyboard is on the recommendations’ heading, not on an empty status');
    const { body: supported } = await getJson(app, '/v1/recommendations?reviewId=KGZ-3&position=supported&limit=25');
    t.same(await rowIds(page), supported.data.map((r: { id: string }) => r.id));
    t.same(await said(), ['status: Loading recommendations…', `results: ${supported.meta.total} recommendation${supported.meta.total === 1 ? '' : 's'} match`], 'the count is said once');
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement!.closest('#filters') !== null && document.activeElement!.tagName), 'SELECT', 'the next Tab is the first filter');
    t.same(problems().filter((p) => !/\b503\b/.test(p)), [], 'no console error and no failed request but the 503');
  });

  t.test('a filter applied from the keyboard: its count said once, not at each key, and the keyboard stays', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    const said = await listen(page);
    await page.focus('#filters input[name=q]');
    await page.keyboard.type('torture');
    t.same(await said(), [], 'typing says nothing');
    // A screen reader lists a page's links out of their sentences: each download link says what it downloads.
    const downloads = await page.locator('#csv-link, #csv-excel-link').evaluateAll((links) => links.map((link) => link.textContent));
    t.ok(downloads.every((name) => /this view as CSV/.test(name!)), `the download links, out of context: ${downloads.join('; ')}`);
    await page.keyboard.press('Enter');
    const { body: matched } = await getJson(app, '/v1/recommendations?reviewId=KGZ-3&q=torture&limit=25');
    await page.locator('#recommendations-total').filter({ hasText: /match$/ }).waitFor();
    t.equal(await focused(page), 'INPUT', 'the keyboard stays in the field');
    t.same(await said(), ['status: Loading recommendations…', `results: ${matched.meta.total} recommendation${matched.meta.total === 1 ? '' : 's'} match`], 'the count is said, once');

    await page.focus('#filters select[name=position]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    t.equal(await page.locator('#filters select[name=position]').inputValue(), 'noted');
    await page.keyboard.press('Tab'); // to Implementation, Asked before, the text, then Apply
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement!.textContent), 'Apply filters');
    t.same(await said(), [], 'a choice moved to says nothing until applied');
    await page.keyboard.press('Enter');
    const { body: noted } = await getJson(app, '/v1/recommendations?reviewId=KGZ-3&position=noted&q=torture&limit=25');
    const count = `${noted.meta.total} recommendation${noted.meta.total === 1 ? '' : 's'} match`;
    await page.locator('#recommendations-total').filter({ hasText: count }).waitFor();
    t.equal(await focused(page), 'BUTTON', 'the keyboard stays on Apply');
    t.same(await said(), ['status: Loading recommendations…', `results: ${count}`]);
    t.same(problems(), [], 'no console error and no failed request');
  });
});
