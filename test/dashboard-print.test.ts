import { chromium } from 'playwright-core';
import t from 'tap';
import { CHROMIUM, LAUNCH_ARGS, openDashboard, rowIds, skip } from './dashboard-helpers.js';
import { buildTestApp, getJson } from './helpers.js';

// A state's view printed (or saved as PDF) on A4: what it shows, not how to change it. The controls are not
// printed, the filters are said in words with the page's address, every row and column of the table is on the
// paper (not clipped at its scrolling box), and each chart fits its figure.

const A4_WIDTH = 794; // CSS pixels: 210 mm at 96 per inch

t.test('a state’s view printed', { skip, timeout: 120_000 }, async (t) => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  t.teardown(() => browser.close());
  const app = await buildTestApp(t);
  const { page, problems, settled } = await openDashboard(t, app, browser, '/dashboard/?stateUnderReview=KGZ&position=supported');
  // The table shown says nothing of the charts, asked at the same time: they are drawn once the view is titled.
  await settled();
  await page.locator('#review-title').filter({ hasText: /\S/ }).waitFor({ state: 'attached' });
  const { body: rows } = await getJson(app, '/v1/recommendations?stateUnderReview=KGZ&position=supported&limit=25');
  t.same(await rowIds(page), rows.data.map((r: { id: string }) => r.id));
  const onScreen = await page.evaluate(() => {
    const said = document.querySelector('#printed-view');
    return said && getComputedStyle(said).display;
  });
  t.equal(onScreen, 'none', 'on screen, the form says the filters');

  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: A4_WIDTH, height: 1123 });
  const layout = await page.evaluate(() => {
    const display = (selector: string) => [...document.querySelectorAll(selector)].map((e) => getComputedStyle(e).display);
    const wrap = document.querySelector('#recommendations')!.parentElement!;
    const shownRows = [...document.querySelectorAll<HTMLElement>('#recommendations tbody tr')].filter((row) => row.offsetHeight > 0).length;
    const charts = [...document.querySelectorAll('figure:not([hidden]) canvas')].map((canvas) => {
      const [c, f] = [canvas.getBoundingClientRect(), canvas.closest('figure')!.getBoundingClientRect()];
      return c.width > 0 && c.height > 0 && c.left >= f.left && c.right <= f.right;
    });
    return {
      controls: ['.skip', '.chooser', '#filters', '.pager', '.csv-links'].flatMap(display),
      clipped: wrap.scrollWidth - wrap.clientWidth,
      pageWidth: document.documentElement.scrollWidth,
      shownRows,
      charts,
      said: (document.querySelector('#printed-view') as HTMLElement | null)?.innerText ?? '',
    };
  });
  t.same(layout.controls, ['none', 'none', 'none', 'none', 'none'], 'no control printed: the skip link, the chooser, the filters, the pager, the CSV links');
  t.equal(layout.clipped, 0, 'the table is not cut off at its box');
  t.ok(layout.pageWidth <= A4_WIDTH, `nor the page at the paper’s width (${layout.pageWidth} px)`);
  t.equal(layout.shownRows, rows.data.length, 'every row printed');
  t.same(layout.charts, [true, true, true], 'each chart drawn within its figure');
  t.match(layout.said, 'Filters: Position: Supported.', 'the filters said in words');
  t.match(layout.said, `Printed from ${page.url()}`, 'and the address that shows this view again');
  const pdf = await page.pdf({ format: 'A4' });
  t.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'Chromium prints it');
  t.same(problems(), [], 'no console error and no failed request');
});
