import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { chromium, type Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { DASHBOARD_DIR, dashboardRoutes } from '../src/dashboard/routes.js';
import { registerProblemHandlers } from '../src/http/problem.js';
import { writeRows } from './fixtures.js';
import { buildTestApp, getJson, tempDir } from './helpers.js';
import { mintKey, send } from './curation-helpers.js';
import { entryRow, HEADER_ROW, importInto, matrixDocx, TERMAN_STYLE_CSV } from './import-helpers.js';
import { accessibilityViolations, apiRounds, CHROMIUM, LAUNCH_ARGS, openDashboard, rowIds, skip } from './dashboard-helpers.js';

// The dashboard in a real browser (Debian's Chromium driven by playwright-core): the numbers it shows are
// the API's, filters and pages give the API's rows, the CSV link downloads the API's export, and the page
// logs no error and no request of it fails. Screenshots go to test-artifacts/dashboard/.

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/dashboard/', import.meta.url));

t.test('without a built page, /dashboard says how to build it', async (t) => {
  const app = Fastify();
  registerProblemHandlers(app);
  await app.register(dashboardRoutes, { root: tempDir(t) });
  for (const url of ['/dashboard', '/dashboard/app.js']) {
    const response = await app.inject(url);
    t.equal(response.statusCode, 503);
    t.match(response.json().detail, /npm run build:dashboard/);
  }
  await app.close();
});

t.test('the built page is served with a policy that lets it load only from this origin', async (t) => {
  t.ok(existsSync(`${DASHBOARD_DIR}index.html`), 'npm install built the dashboard (prepare script)');
  const app = await buildTestApp(t);
  // The script and stylesheet are named after their content (test/dashboard-revisit.test.ts): the page names them.
  const named = [...readFileSync(`${DASHBOARD_DIR}index.html`, 'utf8').matchAll(/(?:href|src)="(app-[^"]+)"/g)].map((m) => `/dashboard/${m[1]}`);
  t.equal(named.length, 2);
  for (const url of ['/dashboard/', ...named]) {
    const response = await app.inject(url);
    t.equal(response.statusCode, 200, url);
    t.match(response.headers['content-security-policy'], /script-src 'self'/);
    t.match(response.headers['content-security-policy'], /connect-src 'self'/);
  }
  // The page's links are relative (app.js, ../v1/: they hold under a proxy's prefix): /dashboard sends the browser
  // to its folder, relatively too (behind a proxy that strips /api, /api/dashboard/), with its query.
  for (const [url, location] of [['/dashboard', 'dashboard/'], ['/dashboard?review=KGZ-1&q=a%20b', 'dashboard/?review=KGZ-1&q=a%20b']] as const) {
    const response = await app.inject(url);
    t.equal(response.statusCode, 302, url);
    t.equal(response.headers.location, location);
  }
  const api = await app.inject('/v1/reviews');
  t.match(api.headers['content-security-policy'], /default-src 'none'/, 'the API keeps its own strict policy');
});

/** Tabs from where the keyboard is through every visible control inside `scope`, in the page's order: each must be
 * reached in turn and show where the keyboard is (:focus-visible, an outline of 2 px or more). */
async function tabThrough(t: Test, page: Page, scope: string, name: string): Promise<void> {
  const controls = await page.evaluate((scope) => {
    const all = [...document.querySelectorAll<HTMLElement>(`${scope} :is(a[href], button, select, input, textarea, [tabindex])`)].filter(
      (el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && el.checkVisibility({ visibilityProperty: true }),
    );
    (window as unknown as { controls: HTMLElement[] }).controls = all;
    return all.map((el) => el.id || el.getAttribute('name') || el.textContent!.trim().slice(0, 40));
  }, scope);
  const reached: string[] = [];
  const unringed: string[] = [];
  for (let i = 0; i < controls.length; i++) {
    await page.keyboard.press('Tab');
    const { index, ring } = await page.evaluate(() => {
      const focused = document.activeElement as HTMLElement;
      const style = getComputedStyle(focused);
      return {
        index: (window as unknown as { controls: HTMLElement[] }).controls.indexOf(focused),
        ring: focused.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
      };
    });
    reached.push(controls[index] ?? `an element outside ${scope}`);
    if (!ring) unringed.push(controls[index] ?? String(index));
  }
  t.same(reached, controls, `${name}: Tab reaches each of its ${controls.length} controls, in order`);
  t.same(unringed, [], `${name}: each shows where the keyboard is`);
}

async function shownCounts(page: Page, table: string): Promise<Record<string, number>> {
  return page.$$eval(`#${table}-table td[data-key]`, (cells) =>
    Object.fromEntries(cells.map((cell) => [(cell as HTMLElement).dataset.key!, Number(cell.textContent)])),
  );
}


async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

t.test('in a browser', { skip, timeout: 600_000 }, async (t) => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  t.teardown(() => browser.close());

  t.test('the seeded review: the numbers shown are the API’s; each state of the page passes axe-core’s WCAG 2.1 A and AA rules', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems, leave } = await openDashboard(t, app, browser);
    // A state that changes one part of a page checked whole before is checked in that part: a run over the whole
    // page is the slowest step of this test.
    const checkAccessibility = async (state: string, include?: string[]) =>
      t.same(await accessibilityViolations(page, include), [], `${state}: no WCAG 2.1 A/AA violation axe-core finds`);
    const { body: summary } = await getJson(app, '/v1/reviews/KGZ-3/summary');
    t.equal(await page.locator('#review').inputValue(), 'KGZ-3', 'Kyrgyzstan’s third review by default');
    t.same(await shownCounts(page, 'positions'), withoutTotal(summary.recommendations.byPosition));
    t.same(await shownCounts(page, 'implementation'), summary.recommendations.byImplementation);
    const { body: developments } = await getJson(app, '/v1/developments?reviewId=KGZ-3&limit=500');
    t.same(
      await page.$$eval('#timeline li[data-id]', (items) => items.map((item) => (item as HTMLElement).dataset.id)),
      developments.data.map((d: { id: string }) => d.id),
      'every development, in the API’s order',
    );
    t.equal(await page.locator('#timeline li.setback').count(), developments.data.filter((d: { direction: string }) => d.direction === 'setback').length);
    t.match(await page.locator('#developments-total').textContent(), `(${developments.meta.total})`);
    t.match(await page.locator('#recommendations-total').textContent(), /^8 recommendations match/);
    const unknown = await page.locator('#recommendations tbody tr[data-id="KGZ-3-FIN-1"] td').nth(3).textContent();
    t.equal(unknown, 'Unknown (no source records one)', 'an unknown position is shown as unknown, not guessed');
    await screenshot(page, 'seeded-overview');
    await checkAccessibility('the overview');
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());
    await tabThrough(t, page, 'body', 'the page');

    // Filters: the table holds exactly the API's rows for the same query.
    await page.selectOption('#filters select[name=position]', 'supported');
    await page.click('#filters button[type=submit]');
    await page.locator('#recommendations-total').filter({ hasText: /^3 recommendations/ }).waitFor();
    const { body: supported } = await getJson(app, '/v1/recommendations?reviewId=KGZ-3&position=supported&limit=25');
    t.same(await rowIds(page), supported.data.map((r: { id: string }) => r.id));
    await checkAccessibility('the filtered table', ['#filters', '#recommendations']);

    // The CSV link downloads the API's export of exactly this view.
    const href = await page.locator('#csv-link').getAttribute('href');
    t.match(href, /reviewId=KGZ-3&position=supported&format=csv$/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-link')]);
    const chunks: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
    const exported = await fetch(href!);
    t.equal(Buffer.concat(chunks).toString('utf8'), await exported.text(), 'the downloaded CSV is the API export');
    // For Excel: the same bytes after a UTF-8 byte order mark.
    const excel = await page.locator('#csv-excel-link').getAttribute('href');
    t.equal(excel, `${href}&bom=true`);
    const [excelDownload] = await Promise.all([page.waitForEvent('download'), page.click('#csv-excel-link')]);
    const excelChunks: Buffer[] = [];
    for await (const chunk of await excelDownload.createReadStream()) excelChunks.push(chunk as Buffer);
    t.same(Buffer.concat(excelChunks), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.concat(chunks)]), 'the Excel CSV is the export after a BOM');

    // The detail, opened from the keyboard.
    await page.click('#filters button[type=reset]');
    await page.locator('#recommendations-total').filter({ hasText: /^8 recommendations/ }).waitFor();
    await page.locator('#recommendations tbody tr[data-id="KGZ-3-FIN-1"] button').focus();
    await page.keyboard.press('Enter');
    await page.locator('#detail:not([hidden])').waitFor();
    const { body: detail } = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
    const shown = await page.locator('#detail-body').textContent();
    t.match(shown, detail.text);
    t.match(shown, detail.assessments[0].rationale, 'the assessment and its rationale');
    for (const development of detail.developments) t.match(shown, development.title);
    t.match(shown, 'Finland');
    await screenshot(page, 'seeded-detail');

    // 360 px wide: the page itself does not scroll sideways (the table may, inside its own box).
    await page.setViewportSize({ width: 360, height: 800 });
    // The charts follow the new width when their resize observer fires: wait for the layout to settle.
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 360, null, { timeout: 30_000 }).catch(() => {});
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    t.ok(width <= 360, `page width ${width} px at a 360 px viewport`);
    await screenshot(page, 'seeded-360px');
    await checkAccessibility('a detail at 360 px');
    await page.setViewportSize({ width: 1280, height: 900 });

    // A detail with related recommendations and machine labels, opened with Space; Tab walks it to its Close.
    await page.locator('#recommendations tbody tr[data-id="KGZ-3-ESP-1"] button').focus();
    await page.keyboard.press('Space');
    await page.locator('#detail:not([hidden]) #related li[data-id]').waitFor();
    t.ok(await page.locator('#detail').evaluate((detail) => detail === document.activeElement), 'Space opens the detail, and the keyboard is on it');
    t.ok(await page.locator('#detail-body dd .theme.machine').count(), 'with machine labels');
    await checkAccessibility('a detail with related recommendations and machine labels', ['#detail']);
    await tabThrough(t, page, '#detail', 'the detail');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'close-detail', 'the last is Close');
    t.same(problems(), [], 'no console error and no failed request');

    // A state's reviews (the per-cycle table, a review column) at 360 px, nothing found: both tables are wider than
    // their boxes and hold nothing to focus, so each box takes the focus itself, to be scrolled with the arrow keys.
    await page.setViewportSize({ width: 360, height: 800 });
    await leave('?stateUnderReview=KGZ&q=xylophone');
    await page.locator('#recommendations-total').filter({ hasText: /^0 recommendations/ }).waitFor();
    await checkAccessibility('nothing found across a state’s reviews, at 360 px');
    t.equal(await page.locator('.table-wrap[tabindex="0"]:is(#cycles-figure *, :has(#recommendations))').count(), 2, 'both boxes take the focus');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator('#cycles-figure .table-wrap:not([tabindex])').waitFor();
    t.pass('at 1280 px the per-cycle table fits: its box leaves the Tab order');
    // A filter the API refuses: its error.
    await page.fill('#filters input[name=q]', 'a*');
    await page.click('#filters button[type=submit]');
    await page.locator('#error:not([hidden])').waitFor();
    await checkAccessibility('a refused filter’s error', ['#error', '#recommendations']);
    t.same(problems().filter((p) => !/400 for .*q=a\*/.test(p) && !/status of 400/.test(p)), [], 'no console error and no failed request but the refused filter');
  });

  t.test('related recommendations of earlier cycles, machine labels and recurrence are the API’s', async (t) => {
    const app = await buildTestApp(t);
    const admin = mintKey(app, 'admin', 'admin');
    for (const cycle of [1, 2]) {
      const { response } = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'KGZ', cycle } });
      t.equal(response.statusCode, 201);
    }
    const source = { title: 'Working Group report', publisher: 'Human Rights Council', url: 'https://example.org/wg-report' };
    const created: string[] = [];
    for (const [reviewId, text, by] of [
      ['KGZ-1', 'Ratify the Optional Protocol to the Convention against Torture', 'FIN'],
      ['KGZ-1', 'Combat domestic violence against women and girls', 'ESP'],
      ['KGZ-2', 'Accede to OP-CAT', 'DEU'],
      ['KGZ-2', 'Criminalise domestic violence', 'SWE'],
      ['KGZ-2', 'Guarantee the freedom of the media and protect journalists', 'USA'],
    ]) {
      const { response, body } = await send(app, 'POST', '/v1/recommendations', {
        key: admin,
        body: { reviewId, text, verbatim: true, recommendingStates: [by], sources: [source] },
      });
      t.equal(response.statusCode, 201, response.body);
      created.push(body.id);
    }
    const opcat = created[2]!;
    // A UHRI theme the crosswalk derives from UPR Info's own coding (machine, confidence 1): not a classifier's guess.
    await writeRows(app, [opcat], [
      ["delete from recommendation_themes where recommendation_id = ? and theme_id = 'right-to-education'", [opcat]],
      ["insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence) values (?, 'right-to-education', 'machine', 1)", [opcat]],
    ]);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-2');

    // The table: every theme marked with its source, machine ones as automatic; recurring ones said so.
    const { body: list } = await getJson(app, '/v1/recommendations?reviewId=KGZ-2&limit=25');
    t.same(await rowIds(page), list.data.map((r: { id: string }) => r.id));
    type Theme = { id: string; label: string; source: string; confidence: number | null };
    const automatic = (l: Theme) =>
      l.source !== 'machine' ? null : l.confidence === 1 ? '(automatic, from UPR Info’s issue)' : `(automatic, ${Math.round(l.confidence! * 100)}%)`;
    const marking = (themes: Theme[]) => themes.map((l) => ({ id: l.id, source: l.source, automatic: automatic(l) }));
    const shownMarking = (selector: string) =>
      page.$$eval(selector, (items) =>
        items.map((item) => ({
          id: (item as HTMLElement).dataset.id,
          source: (item as HTMLElement).dataset.source,
          automatic: /\(automatic, (?:\d+%|from UPR Info’s issue)\)/.exec(item.textContent!)?.[0] ?? null,
        })),
      );
    let machineLabels = 0;
    for (const r of list.data as { id: string; themes: Theme[]; recurrence: { count: number; earliestCycle: number | null } }[]) {
      t.same(await shownMarking(`#recommendations tr[data-id="${r.id}"] .theme`), marking(r.themes), `${r.id}: themes and their sources`);
      machineLabels += r.themes.filter((l) => l.source === 'machine').length;
      const recurring = await page.locator(`#recommendations tr[data-id="${r.id}"] .recurring`).allTextContents();
      t.same(recurring, r.recurrence.count > 0 ? [`Recurring: similar earlier request, since cycle ${r.recurrence.earliestCycle}`] : [], `${r.id}: recurrence`);
    }
    t.ok(machineLabels > 0, `${machineLabels} machine labels in the table, marked automatic`);

    // The recurring filter is the API's recurring=true.
    await page.selectOption('#filters select[name=recurring]', 'true');
    await page.click('#filters button[type=submit]');
    const { body: recurringList } = await getJson(app, '/v1/recommendations?reviewId=KGZ-2&recurring=true&limit=25');
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${recurringList.meta.total} recommendation`) }).waitFor();
    t.ok(recurringList.meta.total > 0 && recurringList.meta.total < list.meta.total, 'the filter narrows');
    t.same(await rowIds(page), recurringList.data.map((r: { id: string }) => r.id));
    t.match(await page.locator('#csv-link').getAttribute('href'), /recurring=true/);

    // The detail, from the keyboard: related items are the API's, in its order, with its facts.
    await page.locator(`#recommendations tbody tr[data-id="${opcat}"] button`).focus();
    await page.keyboard.press('Enter');
    await page.locator('#detail:not([hidden]) #related').waitFor();
    const { body: related } = await getJson(app, `/v1/recommendations/${opcat}/related?limit=10`);
    t.ok(related.data.some((r: { relation: string }) => r.relation === 'earlier'), 'the fixture has an earlier-cycle match');
    const items = page.locator('#related li[data-id]');
    t.same(
      await items.evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.id)),
      related.data.map((r: { id: string }) => r.id),
      'the API’s related recommendations, most similar first',
    );
    const relationWords: Record<string, string> = { earlier: 'earlier cycle', same: 'same cycle', later: 'later cycle' };
    for (const [i, r] of (related.data as { id: string; reviewId: string; cycle: number; text: string; score: number; relation: string; position: string | null; recommendingStates: { name: string }[] }[]).entries()) {
      const shown = (await items.nth(i).textContent())!;
      t.match(shown, `Cycle ${r.cycle} (${relationWords[r.relation]}) · review ${r.reviewId}`, `${r.id}: cycle, relation, review`);
      t.match(shown, `similarity ${r.score.toFixed(2)}`);
      for (const state of r.recommendingStates) t.match(shown, state.name);
      t.match(shown, r.text);
      if (r.position === null) t.match(shown, 'position: Unknown (no source records one)', 'an unknown position is not guessed');
    }
    const { body: detail } = await getJson(app, `/v1/recommendations/${opcat}`);
    t.ok(detail.themes.some((l: Theme) => l.id === 'right-to-education' && l.confidence === 1), 'the fixture has a derived theme');
    t.same(await shownMarking('#detail-body dd .theme'), marking(detail.themes), 'the detail’s themes and their sources');
    t.match(await page.locator('#detail-body dd .note').textContent(), 'derived from the issues UPR Info coded', 'the note says what a derived theme is');
    t.equal(
      await page.locator('#detail-body dd .note').count(),
      detail.themes.some((l: Theme) => l.source === 'machine') ? 1 : 0,
      'a note says what automatic means when a machine label is shown',
    );
    t.match(await page.locator('#detail-body').textContent(), `${detail.recurrence.count} earlier-cycle recommendation${detail.recurrence.count === 1 ? '' : 's'} worded like this one (similarity at least 0.5)`);
    await screenshot(page, 'related-detail');

    // A related item opens its own detail, from the keyboard.
    const earlier = related.data.find((r: { relation: string }) => r.relation === 'earlier');
    await page.locator(`#related li[data-id="${earlier.id}"] button`).focus();
    await page.keyboard.press('Enter');
    await page.locator('#detail-body > blockquote').filter({ hasText: earlier.text }).waitFor();
    t.ok(await page.locator(`#related li[data-id="${opcat}"]`).count(), 'whose related list holds the later request');

    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 360, null, { timeout: 30_000 }).catch(() => {});
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    t.ok(width <= 360, `page width ${width} px at a 360 px viewport`);
    await screenshot(page, 'related-detail-360px');
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('a recommendation with nothing similar says so; a failed request says so', async (t) => {
    const app = await buildTestApp(t);
    const admin = mintKey(app, 'admin', 'admin');
    const { response: review } = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'ISL', cycle: 1 } });
    t.equal(review.statusCode, 201);
    const { body: alone } = await send(app, 'POST', '/v1/recommendations', {
      key: admin,
      body: { reviewId: 'ISL-1', text: 'Abolish the death penalty', verbatim: true, recommendingStates: ['FIN'], sources: [{ title: 'Report', publisher: 'Human Rights Council', url: 'https://example.org/r' }] },
    });
    t.same((await getJson(app, `/v1/recommendations/${alone.id}/related`)).body.data, [], 'the API has none');
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=ISL-1');
    await page.locator(`#recommendations tbody tr[data-id="${alone.id}"] button`).click();
    await page.locator('#detail:not([hidden]) #related').waitFor();
    t.equal(await page.locator('#related .related-empty').textContent(), 'No similar recommendation to this state in our data.');
    t.equal(await page.locator('#related li').count(), 0);
    t.same(problems(), [], 'no console error and no failed request');

    // The API failing: the detail still shows, the section says what failed.
    await page.route('**/related**', (route) =>
      route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Service Unavailable', detail: 'the database is busy' }) }),
    );
    await page.click('#close-detail');
    await page.locator(`#recommendations tbody tr[data-id="${alone.id}"] button`).click();
    await page.locator('#related .related-error').waitFor();
    t.match(await page.locator('#related .related-error').textContent(), /Could not load related recommendations: .*503: the database is busy/);
    t.match(await page.locator('#detail-body > blockquote').textContent(), 'Abolish the death penalty');
    const refused = problems();
    t.ok(refused.length > 0 && refused.every((p) => p.includes('503')), `only the refused request: ${refused.join('; ')}`);
  });

  t.test('the URL holds the view; late answers, refused filters and unknown reviews never pass for results', async (t) => {
    const app = await buildTestApp(t);
    const report = await importInto(app, TERMAN_STYLE_CSV);
    t.ok(report.reviewsCreated.includes('KGZ-1'), 'KGZ-1 imported beside the seeded KGZ-3');
    const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id);

    // A link in any case, with filters: the review and its filters are applied, as the API answers them.
    const { page, problems, leave, aborted } = await openDashboard(t, app, browser, '/dashboard/?review=kgz-1&position=pending');
    t.equal(await page.locator('#review').inputValue(), 'KGZ-1');
    t.equal(await page.locator('#filters select[name=position]').inputValue(), 'pending');
    const { body: pending } = await getJson(app, '/v1/recommendations?reviewId=KGZ-1&position=pending&limit=25');
    t.ok(pending.meta.total > 0);
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${pending.meta.total} recommendation`) }).waitFor();
    t.same(await rowIds(page), ids(pending));
    t.match(await page.locator('#review-title').textContent(), 'Kyrgyzstan, cycle 1');

    // Applied filters go into the URL; Back restores the view before.
    await page.selectOption('#filters select[name=position]', 'supported');
    await page.click('#filters button[type=submit]');
    await page.waitForURL(/position=supported/);
    const { body: supported } = await getJson(app, '/v1/recommendations?reviewId=KGZ-1&position=supported&limit=25');
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${supported.meta.total} recommendation`) }).waitFor();
    t.same(await rowIds(page), ids(supported));
    await page.goBack();
    await page.waitForURL(/position=pending/);
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${pending.meta.total} recommendation`) }).waitFor();
    t.equal(await page.locator('#filters select[name=position]').inputValue(), 'pending');
    t.same(await rowIds(page), ids(pending), 'Back shows the earlier filter’s rows');

    // A name no state matched is shown as printed and said so; each source's own reading of the position is shown.
    const unresolved = (await getJson(app, '/v1/recommendations?reviewId=KGZ-1&limit=50')).body.data.find(
      (r: { unresolvedRecommendingStates: string[] }) => r.unresolvedRecommendingStates.includes('NA'),
    );
    const { body: unfiltered } = await getJson(app, '/v1/recommendations?reviewId=KGZ-1&limit=25');
    await page.click('#filters button[type=reset]');
    // The reset's own reload must land before a row is opened (it replaces the rows, and the opener with them).
    await page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${unfiltered.meta.total} recommendation`) }).waitFor();
    await page.locator(`#recommendations tbody tr[data-id="${unresolved.id}"]`).waitFor();
    t.equal(await page.locator(`#recommendations tbody tr[data-id="${unresolved.id}"] td`).nth(2).textContent(), '“NA” (as printed; not recognised as a state)');
    const opener = page.locator(`#recommendations tbody tr[data-id="${unresolved.id}"] button`);
    await opener.focus();
    await page.keyboard.press('Enter');
    await page.locator('#detail:not([hidden]) #related').waitFor();
    const detailText = await page.locator('#detail-body').textContent();
    t.match(detailText, 'Kyrgyzstan, cycle 1 (KGZ-1)', 'the detail names its review');
    t.match(detailText, 'records the position as pending (no final answer yet) (printed: “consider”)', 'the source’s own reading');
    t.equal(new URL(page.url()).searchParams.get('recommendation'), unresolved.id, 'the open detail is in the URL');
    await page.keyboard.press('Escape');
    t.ok(await page.locator('#detail').isHidden(), 'Escape closes the detail');
    t.ok(await opener.evaluate((button) => button === document.activeElement), 'and the keyboard is back on the row it came from');
    await page.waitForURL((url) => !url.searchParams.has('recommendation'));
    t.equal(new URL(page.url()).search, '?review=KGZ-1', 'and drops it from the URL');

    // Themes only a classifier gave in this review say so in the filter; each option names its vocabulary.
    const { body: allThemes } = await getJson(app, '/v1/stats/recommendations?reviewId=KGZ-1&groupBy=theme');
    const { body: notMachine } = await getJson(app, '/v1/stats/recommendations?reviewId=KGZ-1&groupBy=theme&labelSource=ohchr,upr-info,curated');
    const curated = new Set(notMachine.data.filter((g: { count: number }) => g.count > 0).map((g: { theme: string }) => g.theme));
    const options = await page.$$eval('#filters select[name=theme] option', (os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent!]));
    const themed = allThemes.data.filter((g: { theme: string | null }) => g.theme);
    t.ok(themed.length > 0, 'the review has themes');
    for (const { theme } of themed as { theme: string }[]) {
      const label = options.find(([value]) => value === theme)?.[1] ?? '';
      t.equal(/automatic labels only\)$/.test(label), !curated.has(theme), `${theme}: ${label}`);
    }

    // A filter the API refuses: its message is shown, and the rows of the query before are not left standing.
    await page.fill('#filters input[name=q]', 'a*');
    await page.click('#filters button[type=submit]');
    await page.locator('#error:not([hidden])').waitFor();
    t.match(await page.locator('#error').textContent(), /answered 400: .*a prefix needs at least 3/);
    t.same(await rowIds(page), [], 'no row passes for an answer to the refused query');
    await page.fill('#filters input[name=q]', '');
    await page.click('#filters button[type=submit]');
    await page.locator('#error').waitFor({ state: 'hidden' });
    t.ok(true, 'the next answer clears the message');

    // A slow answer for a review left meanwhile does not overwrite the one chosen since, nor runs on: it is held
    // until the review chosen since is shown, and by then the page has aborted it.
    let letThrough = () => {};
    const held = new Promise<void>((resolve) => (letThrough = resolve));
    await page.route('**/v1/reviews/KGZ-1/summary', async (route) => {
      await held;
      await route.continue().catch(() => undefined); // (aborted by the page meanwhile)
    });
    await leave('?review=KGZ-3');
    await page.locator('#recommendations tbody tr[data-id]').first().waitFor();
    const superseded = page.waitForEvent('requestfailed', (request) => request.url().includes('/v1/reviews/KGZ-1/summary'));
    await page.selectOption('#review', 'KGZ-1');
    await page.selectOption('#review', 'KGZ-3');
    const abortedRequest = await superseded;
    t.equal(abortedRequest.failure()?.errorText, 'net::ERR_ABORTED', 'the request of the review superseded is aborted by the page, not left to run');
    t.ok(aborted.includes(abortedRequest.url()), 'as a fetch of the API the page aborted, which is no failed request');
    await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    letThrough();
    const { body: kgz3 } = await getJson(app, '/v1/reviews/KGZ-3/summary');
    t.same(await shownCounts(page, 'positions'), withoutTotal(kgz3.recommendations.byPosition), 'the charts are the review selected last');
    t.same(await rowIds(page), ids((await getJson(app, '/v1/recommendations?reviewId=KGZ-3&limit=25')).body));
    await page.unrouteAll();

    // A review we do not hold is said so, not silently replaced.
    await leave('?review=XYZ-9');
    await page.locator('#error:not([hidden])').waitFor();
    t.match(await page.locator('#error').textContent(), /no review “XYZ-9” is stored; showing Kyrgyzstan, cycle 3 \(KGZ-3\) instead/);
    t.same(
      problems().filter((p) => !/400 for .*q=a\*/.test(p) && !/status of 400/.test(p)),
      [],
      'no console error and no failed request but the refused filter',
    );
  });

  t.test('a state under review across its reviews, and a recommending state across every state: the API’s numbers and rows', async (t) => {
    const app = await buildTestApp(t);
    const report = await importInto(app, TERMAN_STYLE_CSV);
    t.ok(report.reviewsCreated.includes('KGZ-1'), 'KGZ-1 beside the seeded KGZ-3');
    const admin = mintKey(app, 'admin', 'admin');
    const { response: iceland } = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'ISL', cycle: 1 } });
    t.equal(iceland.statusCode, 201);
    const source = { title: 'Working Group report', publisher: 'Human Rights Council', url: 'https://example.org/wg-report' };
    for (const [reviewId, text] of [['KGZ-1', 'Ratify the Optional Protocol to the Convention against Torture'], ['ISL-1', 'Abolish the death penalty']]) {
      const { response } = await send(app, 'POST', '/v1/recommendations', { key: admin, body: { reviewId, text, verbatim: true, recommendingStates: ['FIN'], sources: [source] } });
      t.equal(response.statusCode, 201, response.body);
    }
    type Row = { id: string; reviewId: string; cycle: number; stateUnderReview: { name: string } };
    const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id);
    const api = async (query: string) => (await getJson(app, query)).body;
    const waitTotal = (total: number) => page.locator('#recommendations-total').filter({ hasText: new RegExp(`^${total} recommendations? match`) }).waitFor();
    const reviewCells = () => page.$$eval('#recommendations tbody tr[data-id]', (rows) => rows.map((row) => [(row as HTMLElement).dataset.id, (row.querySelector('td.review') as HTMLElement | null)?.dataset.review, row.querySelector('td.review')?.textContent]));
    /** The positions-per-cycle table against the API's groups, every cell (an absent group is 0), and its totals against the list's. */
    const checkCycles = async (filter: string) => {
      const groups: { cycle: number; position: string; count: number }[] = (await api(`/v1/stats/recommendations?${filter}&groupBy=cycle,position`)).data;
      const shown = await page.$$eval('#cycles-table td[data-cycle]', (cells) => cells.map((c) => [`${(c as HTMLElement).dataset.cycle}:${(c as HTMLElement).dataset.key}`, Number(c.textContent)] as const));
      const cycles = [...new Set(groups.map((g) => g.cycle))].sort();
      const expected: [string, number][] = [];
      for (const cycle of cycles) {
        for (const key of ['supported', 'partially_supported', 'noted', 'pending', 'unknown']) {
          expected.push([`${cycle}:${key}`, groups.find((g) => g.cycle === cycle && g.position === key)?.count ?? 0]);
        }
        expected.push([`${cycle}:total`, (await api(`/v1/recommendations?${filter}&cycle=${cycle}&limit=1`)).meta.total]);
      }
      t.same(shown, expected, `${filter}: positions per cycle are the API’s`);
      return cycles;
    };
    const checkPositions = async (filter: string) => {
      const groups: { position: string; count: number }[] = (await api(`/v1/stats/recommendations?${filter}&groupBy=position`)).data;
      const expected = Object.fromEntries(['supported', 'partially_supported', 'noted', 'pending', 'unknown'].map((k) => [k, groups.find((g) => g.position === k)?.count ?? 0]));
      t.same(await shownCounts(page, 'positions'), expected, `${filter}: positions are the API’s`);
    };

    // A state under review, all its reviews, by URL (any case): the per-cycle table, the rows with their review.
    const { page, problems, leave } = await openDashboard(t, app, browser, '/dashboard/?stateUnderReview=kgz');
    t.equal(await page.locator('#view-kind').inputValue(), 'stateUnderReview');
    t.equal(await page.locator('#state-under-review').inputValue(), 'KGZ');
    const kgz = await api('/v1/recommendations?stateUnderReview=KGZ&limit=25');
    await waitTotal(kgz.meta.total);
    t.same(await rowIds(page), ids(kgz));
    t.same(await reviewCells(), kgz.data.map((r: Row) => [r.id, r.reviewId, `Cycle ${r.cycle}${r.reviewId}`]), 'each row names its cycle and review');
    t.same(await checkCycles('stateUnderReview=KGZ'), [1, 3], 'both of Kyrgyzstan’s reviews');
    await checkPositions('stateUnderReview=KGZ');
    t.match(await page.locator('#review-title').textContent(), 'Kyrgyzstan, all reviews (cycles 1, 3)');
    t.match(await page.locator('#csv-link').getAttribute('href'), /\?stateUnderReview=KGZ&format=csv$/);
    const { body: developments } = await getJson(app, '/v1/developments?stateUnderReview=KGZ&limit=500');
    t.equal(await page.locator('#timeline li[data-id]').count(), developments.data.length, 'the state’s developments');
    t.ok(await page.locator('#filters select[name=stateUnderReview]').isHidden(), 'the view’s own state is no filter');
    await screenshot(page, 'state-under-review');

    // A filter by cycle, then the noted recommendations asked before: each the API's rows, each in the URL.
    await page.selectOption('#filters select[name=cycle]', '1');
    await page.click('#filters button[type=submit]');
    await page.waitForURL(/\?stateUnderReview=KGZ&cycle=1$/);
    const cycle1 = await api('/v1/recommendations?stateUnderReview=KGZ&cycle=1&limit=25');
    await waitTotal(cycle1.meta.total);
    t.same(await rowIds(page), ids(cycle1));
    // The link shows its own view, the one its href names (a new tab's), whatever filter was applied before.
    const notedHref = await page.locator('#recurring-noted a').getAttribute('href');
    await page.locator('#recurring-noted a').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/recurring=true/);
    t.equal(new URL(page.url()).search, new URL(notedHref!, page.url()).search, 'the link’s click shows its href’s view, the cycle filter cleared');
    t.equal(await page.locator('#filters select[name=cycle]').inputValue(), '');
    const noted = await api('/v1/recommendations?stateUnderReview=KGZ&position=noted&recurring=true&limit=25');
    await waitTotal(noted.meta.total);
    t.same(await rowIds(page), ids(noted));

    // A recommending state, chosen with the page's own controls: its recommendations to every state.
    await page.selectOption('#view-kind', 'recommendingState');
    await page.selectOption('#recommending-state', 'FIN');
    await page.waitForURL(/\?recommendingState=FIN$/);
    const fin = await api('/v1/recommendations?recommendingState=FIN&limit=25');
    await waitTotal(fin.meta.total);
    const checkFinland = async () => {
      t.same(await rowIds(page), ids(fin));
      t.same(await reviewCells(), fin.data.map((r: Row) => [r.id, r.reviewId, `${r.stateUnderReview.name}, cycle ${r.cycle}${r.reviewId}`]), 'each row names the state under review and the cycle');
      t.same(new Set(fin.data.map((r: Row) => r.reviewId)), new Set(['KGZ-1', 'KGZ-3', 'ISL-1']), 'to three reviews of two states');
      await checkPositions('recommendingState=FIN');
      t.same(await checkCycles('recommendingState=FIN'), [1, 3]);
      t.match(await page.locator('#csv-link').getAttribute('href'), /\?recommendingState=FIN&format=csv$/);
      t.ok(await page.locator('#filters select[name=recommendingState]').isHidden(), 'the view’s own state is no filter');
      t.ok(await page.locator('#developments').isHidden());
    };
    await checkFinland();
    const option = await page.locator('#recommending-state option[value=FIN]').textContent();
    t.equal(option, `Finland (${(await api('/v1/stats/recommendations?groupBy=recommendingState')).data.find((g: { recommendingState: string }) => g.recommendingState === 'FIN').count})`);
    await page.selectOption('#filters select[name=stateUnderReview]', 'ISL');
    await page.click('#filters button[type=submit]');
    await page.waitForURL(/\?recommendingState=FIN&stateUnderReview=ISL$/);
    const finIsl = await api('/v1/recommendations?recommendingState=FIN&stateUnderReview=ISL&limit=25');
    await waitTotal(finIsl.meta.total);
    t.same(await rowIds(page), ids(finIsl));
    // Its detail opens from the keyboard, and names its review.
    await page.locator(`#recommendations tbody tr[data-id="${finIsl.data[0].id}"] button`).focus();
    await page.keyboard.press('Enter');
    await page.locator('#detail:not([hidden])').waitFor();
    t.match(await page.locator('#detail-body').textContent(), 'Iceland, cycle 1 (ISL-1)');
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 360, null, { timeout: 30_000 }).catch(() => {});
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    t.ok(width <= 360, `page width ${width} px at a 360 px viewport`);
    await screenshot(page, 'recommending-state-360px');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Back: the detail closed, Finland unfiltered, then Kyrgyzstan's noted and recurring, each as the API answers it.
    t.equal(new URL(page.url()).searchParams.get('recommendation'), finIsl.data[0].id);
    await page.goBack();
    await page.waitForURL(/\?recommendingState=FIN&stateUnderReview=ISL$/);
    await page.locator('#detail').waitFor({ state: 'hidden' });
    await page.goBack();
    await page.waitForURL(/\?recommendingState=FIN$/);
    await waitTotal(fin.meta.total);
    await checkFinland();
    await page.goBack(); // the recommending state the list offered first, when "Show" changed
    await page.waitForURL(/\?recommendingState=[A-Z]{3}$/);
    await page.goBack();
    await page.waitForURL(/\?stateUnderReview=KGZ&position=noted&recurring=true$/);
    await waitTotal(noted.meta.total);
    t.same(await rowIds(page), ids(noted));
    t.equal(await page.locator('#view-kind').inputValue(), 'stateUnderReview');
    t.equal(await page.locator('#filters select[name=position]').inputValue(), 'noted');
    t.ok(await page.locator('#state-choice').isVisible());

    // A reload of a recommending state's link; a review's link as before; an unknown state said so. Each of the
    // view's statistics is asked once: the cycle filter's options are the per-cycle chart's cycles, not asked again;
    // the themes once, by label source. The view's requests, its table's too, are one round after the chooser's lists
    // (the view needs the reviews to know it); a filter whose options the API gives makes the table wait for them.
    const reloaded = async (query: string, total: number) => {
      const counted = apiRounds(page);
      await leave(query);
      await waitTotal(total);
      await page.locator('#status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
      return { rounds: counted.stop(), asked: counted.asked };
    };
    const finView = await reloaded('?recommendingState=FIN', fin.meta.total);
    const stats = finView.asked.filter((a) => a.path.startsWith('/v1/stats/recommendations?')).map((a) => new URLSearchParams(a.path.replace(/^[^?]*/, '')).get('groupBy'));
    t.same(stats.sort(), ['cycle,position', 'implementation', 'position', 'recommendingState', 'stateUnderReview', 'theme,labelSource'], 'each of the view’s statistics asked once');
    t.equal(finView.rounds, 2, `the chooser’s lists, then the view whole: ${JSON.stringify(finView.asked)}`);
    t.equal(finView.asked.filter((a) => a.round === 2).length, 7, 'the view: its 5 statistics, the themes, the table');
    t.same(await page.locator('#filters select[name=cycle] option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)), ['', '1', '3'], 'the cycles offered');
    await checkFinland();
    const kgzView = await reloaded('?stateUnderReview=KGZ', (await api('/v1/recommendations?stateUnderReview=KGZ&limit=25')).meta.total);
    t.equal(kgzView.rounds, 2, `a state’s view in one round: ${JSON.stringify(kgzView.asked)}`);
    t.same(kgzView.asked.filter((a) => a.round === 2).map((a) => a.path.replace(/\?.*/, '')).sort(), [
      '/v1/developments', '/v1/recommendations', ...Array<string>(5).fill('/v1/stats/recommendations'), '/v1/themes',
    ], 'its charts’ three statistics, the timeline, the options’ two, the themes, the table');
    const theme = (await api('/v1/stats/recommendations?stateUnderReview=KGZ&groupBy=theme')).data.find((g: { theme: string | null }) => g.theme).theme as string;
    const themed = await reloaded(`?stateUnderReview=KGZ&theme=${theme}`, (await api(`/v1/recommendations?stateUnderReview=KGZ&theme=${theme}&limit=25`)).meta.total);
    t.equal(themed.rounds, 3, 'a theme in the URL: the table waits for the themes offered');
    t.same(themed.asked.filter((a) => a.round === 3).map((a) => a.path), [`/v1/recommendations?stateUnderReview=KGZ&theme=${theme}&limit=25`]);
    t.equal(await page.locator('#filters select[name=theme]').inputValue(), theme, 'and applies it');
    const kgz1 = await reloaded('?review=KGZ-1', (await api('/v1/recommendations?reviewId=KGZ-1&limit=25')).meta.total);
    t.equal(kgz1.rounds, 2, `a review’s view in one round: ${JSON.stringify(kgz1.asked)}`);
    await page.locator('#review-title').filter({ hasText: 'Kyrgyzstan, cycle 1' }).waitFor();
    t.ok(await page.locator('#cycles-figure').isHidden(), 'one review: no per-cycle table');
    t.equal(await page.locator('#recommendations thead th').count(), 6, 'nor a review column');
    await leave('?stateUnderReview=XYZ');
    await page.locator('#error:not([hidden])').waitFor();
    t.match(await page.locator('#error').textContent(), /no review of “XYZ” is stored; showing Kyrgyzstan, cycle 3 \(KGZ-3\) instead/);
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('the charts’ labels are whole: beside the per-cycle figure, and at 360 px', async (t) => {
    const app = await buildTestApp(t);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?stateUnderReview=KGZ');
    await page.locator('#cycles-figure').waitFor();
    // Chart.js gives a bar chart's labels at most half its width and cuts off the start of a longer one
    // ("nding (no final answer yet)"): where the first bar begins shows how wide the labels' column is.
    const barStart = () =>
      page.evaluate(() =>
        ['positions', 'implementation'].map((name) => {
          const canvas = document.querySelector<HTMLCanvasElement>(`#${name}-chart`)!;
          const { width, height } = canvas;
          const pixels = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
          let start = width;
          for (let y = 0; y < height; y++) {
            for (let x = 0; x < start; x++) {
              const i = (y * width + x) * 4;
              // The bars' colour, #0b57d0.
              if (Math.abs(pixels[i]! - 0x0b) < 8 && Math.abs(pixels[i + 1]! - 0x57) < 8 && Math.abs(pixels[i + 2]! - 0xd0) < 8 && pixels[i + 3]! > 200) start = x;
            }
          }
          return { name, share: start / width };
        }),
      );
    const drawnWidths = () => page.$$eval('#positions-chart, #implementation-chart', (canvases) => canvases.map((canvas) => (canvas as HTMLCanvasElement).width));
    for (const width of [1280, 360]) {
      const [resized, before] = [page.viewportSize()!.width !== width, await drawnWidths()];
      await page.setViewportSize({ width, height: 900 });
      // Chart.js redraws a chart when its box is resized (a resize observer, then an animation frame): its canvas's width changes.
      if (resized) await page.waitForFunction((widths) => ['positions', 'implementation'].every((name, i) => document.querySelector<HTMLCanvasElement>(`#${name}-chart`)!.width !== widths[i]), before);
      for (const { name, share } of await barStart()) {
        t.ok(share < 0.48, `${name} at ${width} px: the labels take ${(share * 100).toFixed(0)}% of the chart, less than the half Chart.js allows before it cuts one`);
      }
    }
    // The table beside each chart keeps the whole label.
    t.match(await page.locator('#positions-table').textContent(), 'Pending (no final answer yet)');
    await screenshot(page, 'state-charts-360px');
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('an imported review: paging walks the API’s pages', async (t) => {
    const app = await buildTestApp(t);
    const entries = Array.from({ length: 60 }, (_, i) =>
      entryRow({ text: `121.${i + 1} Ratify instrument number ${i + 1} (France);`, position: i % 4 === 0 ? 'Noted' : 'Supported' }),
    );
    const report = await importInto(app, await matrixDocx([HEADER_ROW, ...entries]));
    t.same(report.reviewsCreated, ['SVN-3']);
    const { page, problems, leave } = await openDashboard(t, app, browser, '/dashboard/?review=SVN-3');
    t.equal(await page.locator('#review').inputValue(), 'SVN-3');
    const { body: summary } = await getJson(app, '/v1/reviews/SVN-3/summary');
    t.same(await shownCounts(page, 'positions'), withoutTotal(summary.recommendations.byPosition));
    t.match(await page.locator('#recommendations-total').textContent(), /^60 recommendations match/);

    let cursor: string | null = null;
    for (let pageNumber = 1; pageNumber <= 3; pageNumber++) {
      const query: string = `/v1/recommendations?reviewId=SVN-3&limit=25${cursor ? `&cursor=${cursor}` : ''}`;
      const { body: expected } = await getJson(app, query);
      await page.locator('#page-number').filter({ hasText: `Page ${pageNumber}` }).waitFor();
      t.same(await rowIds(page), expected.data.map((r: { id: string }) => r.id), `page ${pageNumber}`);
      t.equal(await page.locator('#next-page').isDisabled(), expected.meta.nextCursor === null);
      cursor = expected.meta.nextCursor;
      if (cursor) await page.click('#next-page');
    }
    await page.click('#previous-page');
    await page.locator('#page-number').filter({ hasText: 'Page 2' }).waitFor();
    await screenshot(page, 'imported-page-2');

    // The page is the URL's (its number and the API's cursor for it, in place: no entry of the history): a reload
    // shows it again, and Previous still walks back (the history entry keeps the cursors before it).
    const pageOf = async (cursor: string | null) => (await getJson(app, `/v1/recommendations?reviewId=SVN-3&limit=25${cursor ? `&cursor=${cursor}` : ''}`)).body;
    const first = await pageOf(null);
    const secondPage = await pageOf(first.meta.nextCursor);
    t.same([...new URL(page.url()).searchParams], [['review', 'SVN-3'], ['page', '2'], ['cursor', first.meta.nextCursor]], 'the page is in the URL');
    await page.click('#next-page');
    await page.locator('#page-number').filter({ hasText: 'Page 3' }).waitFor();
    await page.reload();
    await page.locator('#page-number').filter({ hasText: 'Page 3' }).waitFor();
    t.same(await rowIds(page), (await pageOf(secondPage.meta.nextCursor)).data.map((r: { id: string }) => r.id), 'a reload shows the same page');
    t.equal(await page.locator('#results').textContent(), '60 recommendations match, page 3: rows 51–60');
    t.equal(await page.locator('#previous-page').textContent(), 'Previous page');
    await page.click('#previous-page');
    await page.locator('#page-number').filter({ hasText: 'Page 2' }).waitFor();
    t.same(await rowIds(page), secondPage.data.map((r: { id: string }) => r.id), 'Previous after the reload: page 2');

    // A detail opened is in the URL; Back closes it and the table stays on its page; Forward opens it again.
    const detailOf = () => new URL(page.url()).searchParams.get('recommendation');
    const second = (await rowIds(page))[3]!;
    const { body: secondRecord } = await getJson(app, `/v1/recommendations/${encodeURIComponent(second)}`);
    await page.click(`#recommendations tbody tr[data-id="${second}"] button`);
    await page.locator('#detail:not([hidden]) #related').waitFor();
    t.equal(detailOf(), second, 'the open detail is in the URL');
    t.equal(new URL(page.url()).searchParams.get('review'), 'SVN-3', 'beside the view');
    await page.goBack();
    await page.locator('#detail').waitFor({ state: 'hidden' });
    t.equal(detailOf(), null, 'Back closes the detail');
    t.equal(await page.locator('#page-number').textContent(), 'Page 2', 'and the table stays on its page');
    await page.goForward();
    await page.locator('#detail:not([hidden]) #related').waitFor();
    t.match(await page.locator('#detail-body > blockquote').textContent(), secondRecord.text, 'Forward opens it again');
    // Closed by the user, Back does not open it again: the view before it is one step back.
    await page.click('#close-detail');
    await page.waitForURL((url) => !url.searchParams.has('recommendation'));
    t.ok(await page.locator('#detail').isHidden());
    t.equal(await page.locator('#page-number').textContent(), 'Page 2');
    t.equal(new URL(page.url()).searchParams.get('page'), '2', 'the URL keeps the page');

    // A link to page 3 opened afresh (no history of the pages before it): that page, in one request; Previous then
    // goes to the first page, and says so. A page the URL cannot name is said not applied.
    const tables: string[] = [];
    const onTable = (request: { url: () => string }) => void (/\/v1\/recommendations\?/.test(request.url()) && tables.push(new URL(request.url()).search));
    page.on('request', onTable);
    await leave(`?review=SVN-3&page=3&cursor=${encodeURIComponent(secondPage.meta.nextCursor)}`);
    await page.locator('#page-number').filter({ hasText: 'Page 3' }).waitFor();
    page.off('request', onTable);
    t.same(tables, [`?reviewId=SVN-3&limit=25&cursor=${encodeURIComponent(secondPage.meta.nextCursor)}`], 'the linked page, in one request');
    t.same(await rowIds(page), (await pageOf(secondPage.meta.nextCursor)).data.map((r: { id: string }) => r.id));
    t.equal(await page.locator('#previous-page').textContent(), 'First page');
    await page.click('#previous-page');
    await page.locator('#page-number').filter({ hasText: 'Page 1' }).waitFor();
    t.same(await rowIds(page), first.data.map((r: { id: string }) => r.id));
    t.equal(new URL(page.url()).search, '?review=SVN-3');
    t.equal(await page.locator('#previous-page').textContent(), 'Previous page');
    await leave('?review=SVN-3&page=1&cursor=x');
    await page.locator('#status').filter({ hasText: 'Not applied' }).waitFor();
    t.equal(await page.locator('#status').textContent(), 'Not applied (this view has no such filter or option, and takes one value per filter): page=1, cursor=x');
    t.equal(await page.locator('#page-number').textContent(), 'Page 1');

    // A link to a detail opens it, over its view; closing it leaves the view's own URL.
    const linked = `?review=SVN-3&recommendation=${encodeURIComponent(secondRecord.id)}`;
    await leave(linked);
    await page.locator('#detail:not([hidden]) #related').waitFor();
    t.match(await page.locator('#detail-body > blockquote').textContent(), secondRecord.text, 'a link opens the detail it names');
    t.equal(await page.locator('#detail-heading').textContent(), `Recommendation ${secondRecord.paragraph}`);
    t.same(await rowIds(page), (await getJson(app, '/v1/recommendations?reviewId=SVN-3&limit=25')).body.data.map((r: { id: string }) => r.id), 'over its view');
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => !url.searchParams.has('recommendation'));
    t.equal(new URL(page.url()).search, '?review=SVN-3', 'closing it leaves the view’s URL');
    t.same(problems(), [], 'no console error and no failed request');

    // A detail we do not hold is said so; the view stays.
    await leave('?review=SVN-3&recommendation=SVN-3-nothing');
    await page.locator('#error:not([hidden])').waitFor();
    t.match(await page.locator('#error').textContent(), /404/);
    t.ok(await page.locator('#detail').isHidden(), 'no detail passes for it');
    t.equal(await page.locator('#review').inputValue(), 'SVN-3');

    // A cursor the API did not make is its 400, said as a refused filter's: no row passes for the page.
    await leave('?review=SVN-3&page=2&cursor=x');
    await page.locator('#error:not([hidden])').waitFor();
    t.match(await page.locator('#error').textContent(), /answered 400: .*cursor/);
    t.equal(await page.locator('#recommendations tbody').textContent(), 'These filters could not be applied: see the message above.');
  });

  t.test('hostile texts: markup stays text, a direction control reorders only its own text, a long name wraps at 360 px', async (t) => {
    const app = await buildTestApp(t);
    const admin = mintKey(app, 'admin', 'admin');
    const created = async (url: string, body: object) => {
      const { response, body: record } = await send(app, 'POST', url, { key: admin, body });
      t.equal(response.statusCode, 201, `${url}: ${response.statusCode === 201 ? 'created' : response.body}`);
      return record;
    };
    const markup = '<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>';
    await created('/v1/states', { id: 'XXS', name: `Hostilia ${markup}`, regionalGroup: 'WEOG', unMember: false, aliases: [] });
    await created('/v1/reviews', { stateUnderReview: 'XXS', cycle: 2 });
    // An unclosed right-to-left override (U+202E): free texts may hold one (names and titles may not).
    const override = '\u202e';
    const recommendation = await created('/v1/recommendations', {
      reviewId: 'XXS-2', paragraph: '12.3', text: `Release everyone ${override}detained ${markup}`, verbatim: true, recommendingStates: ['FIN'],
      position: 'noted', positionSource: `A/HRC/${override}1 ${markup}`,
      sources: [{ title: `Matrix ${override}of ${markup}`, publisher: 'OHCHR', url: 'https://example.org/matrix' }],
    });
    await created('/v1/assessments', {
      recommendationId: recommendation.id, status: 'not_implemented', assessedOn: '2022-01-01', rationale: `Nothing done ${override}since ${markup}`,
      sources: [{ title: 'Shadow report', publisher: 'NGO', url: 'https://example.org/shadow' }],
    });
    const { page, problems } = await openDashboard(t, app, browser, `/dashboard/?review=XXS-2&recommendation=${encodeURIComponent(recommendation.id)}`);
    await page.locator('#detail:not([hidden]) #related').waitFor();
    // Chart.js redraws a chart when its box is resized (a resize observer, then an animation frame): its canvas's width changes.
    const drawn = await page.$eval('#positions-chart', (canvas) => (canvas as HTMLCanvasElement).width);
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForFunction((width) => document.querySelector<HTMLCanvasElement>('#positions-chart')!.width !== width, drawn);
    t.equal(await page.evaluate(() => (window as { pwned?: number }).pwned), undefined, 'no script of the data ran');
    t.equal(await page.locator('img').count(), 0, 'no markup of the data rendered');
    t.equal(await page.locator('#detail-body > blockquote').textContent(), recommendation.text, 'the text shown as text');
    // Each text holding a direction control is alone in its isolate (a <bdi>, or a box of its own: a block, a button):
    // the control reorders it and nothing after it (the rationale's printed its source's title backwards).
    const leaks = await page.evaluate(() => {
      const found: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
        if (!/[\u202a-\u202e\u2066-\u2069]/.test(node.data)) continue;
        let box = node.parentElement!;
        const isolates = (el: Element) => getComputedStyle(el).display !== 'inline' || /isolate|plaintext/.test(getComputedStyle(el).unicodeBidi);
        while (!isolates(box)) box = box.parentElement!;
        if (box.textContent !== node.data) found.push(`${box.tagName}: ${box.textContent!.slice(0, 60)}`);
      }
      return found;
    });
    t.same(leaks, [], 'no direction control reaches past its own text');
    t.equal(await page.locator('#detail bdi', { hasText: 'Nothing done' }).count(), 1, 'the rationale is isolated');
    // At 360 px a state's name without spaces wraps: the page does not scroll sideways (the table scrolls in its box).
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    t.ok(widths[0]! <= widths[1]!, `the page is ${widths[0]} px wide in a ${widths[1]} px window`);
    await screenshot(page, 'hostile-texts-360px');
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('a URL the view cannot apply is said so; a choice moved to by the keyboard is shown once confirmed', async (t) => {
    const app = await buildTestApp(t);
    // A misspelt parameter, a filter one review does not take, a second value: each named, and the rows are the API's
    // for what was applied.
    const { page, problems, leave } = await openDashboard(t, app, browser, '/dashboard/?review=KGZ-3');
    const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id);
    await leave('?review=KGZ-3&postion=supported&cycle=2&position=noted&position=supported&review=KGZ-1&recommendation=KGZ-3-ESP-1');
    await page.locator('#detail:not([hidden]) #related').waitFor();
    t.equal(
      await page.locator('#status').textContent(),
      'Not applied (this view has no such filter or option, and takes one value per filter): postion=supported, cycle=2, position=supported, review=KGZ-1',
    );
    t.equal(await page.locator('#filters select[name=position]').inputValue(), 'noted');
    t.same(await rowIds(page), ids((await getJson(app, '/v1/recommendations?reviewId=KGZ-3&position=noted&limit=25')).body));
    t.equal(new URL(page.url()).searchParams.get('recommendation'), 'KGZ-3-ESP-1', 'the detail the URL names is open, and the status still says what was not applied');
    await leave('?review=KGZ-3&position=noted');
    await page.locator('#recommendations tbody tr[data-id]').first().waitFor();
    t.equal(await page.locator('#status').textContent(), '', 'a URL applied whole says nothing');

    // A choice moved to with the arrow keys is shown once confirmed (Enter), not at each key: each key showed a view,
    // sent its requests and pushed a history entry.
    const where = () => page.evaluate(() => [window.location.search, history.length] as const);
    const before = await where();
    await page.focus('#view-kind');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    t.equal(await page.locator('#view-kind').inputValue(), 'recommendingState');
    t.same(await where(), before, 'no view shown, and no history entry, at each key');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.has('recommendingState'));
    await page.locator('#recommendations tbody td.review').first().waitFor();
    t.equal((await where())[1], before[1] + 1, 'one view shown, one history entry');
    t.same(problems(), [], 'no console error and no failed request');
  });

  t.test('while the table loads, and when a view fails to, nothing of the query before stands', async (t) => {
    const app = await buildTestApp(t);
    const entries = Array.from({ length: 30 }, (_, i) => entryRow({ text: `121.${i + 1} Ratify instrument number ${i + 1} (France);`, position: i % 3 === 0 ? 'Noted' : 'Supported' }));
    t.same((await importInto(app, await matrixDocx([HEADER_ROW, ...entries]))).reviewsCreated, ['SVN-3']);
    const { page, problems } = await openDashboard(t, app, browser, '/dashboard/?review=SVN-3');
    t.ok(await page.locator('#next-page').isEnabled(), 'a next page, before');
    // While an answer is awaited, the total, the CSV link and the pages of the query before are gone.
    let letThrough!: () => void;
    const held = new Promise<void>((resolve) => (letThrough = resolve));
    await page.route('**/v1/recommendations?*', async (route) => {
      await held;
      await route.continue();
    });
    await page.selectOption('#filters select[name=position]', 'noted');
    await page.click('#filters button[type=submit]');
    await page.locator('#status', { hasText: 'Loading recommendations' }).waitFor();
    t.equal(await page.locator('#recommendations-total').textContent(), '', 'no total of the query before');
    t.equal(await page.locator('#csv-link').getAttribute('href'), null, 'no CSV link to the query before');
    t.equal(await page.locator('#csv-excel-link').getAttribute('href'), null);
    // (Next sent the last query's cursor with the new filters: rows past where the last query's page ended.)
    t.ok((await page.locator('#next-page').isDisabled()) && (await page.locator('#previous-page').isDisabled()), 'no page of it to go to');
    letThrough();
    await page.locator('#recommendations-total').filter({ hasText: /^10 recommendations match/ }).waitFor();
    t.same(await rowIds(page), (await getJson(app, '/v1/recommendations?reviewId=SVN-3&position=noted&limit=25')).body.data.map((r: { id: string }) => r.id));
    t.match(await page.locator('#csv-link').getAttribute('href'), /reviewId=SVN-3&position=noted&format=csv$/);
    await page.unrouteAll();

    // While another recommendation's detail loads, the one open is marked busy and the wait is said; then it is shown.
    const [first, second] = await rowIds(page);
    await page.click(`#recommendations tbody tr[data-id="${first}"] button`);
    await page.locator('#detail:not([hidden]) #related').waitFor();
    let letDetailThrough!: () => void;
    const detailHeld = new Promise<void>((resolve) => (letDetailThrough = resolve));
    await page.route(`**/v1/recommendations/${second}`, async (route) => {
      await detailHeld;
      await route.continue();
    });
    await page.click(`#recommendations tbody tr[data-id="${second}"] button`);
    await page.locator('#status', { hasText: `Loading recommendation ${second}…` }).waitFor();
    t.equal(await page.locator('#detail').getAttribute('aria-busy'), 'true', 'the detail open is marked busy');
    letDetailThrough();
    await page.waitForURL((url) => url.searchParams.get('recommendation') === second);
    t.equal(await page.locator('#detail').getAttribute('aria-busy'), null);
    t.equal(await page.locator('#status').textContent(), '', 'the wait is over');
    t.match(await page.locator('#detail-body > blockquote').textContent(), (await getJson(app, `/v1/recommendations/${second}`)).body.text);
    await page.unrouteAll();
    await page.click('#close-detail');

    // A view that fails to load leaves no link to the one shown before.
    await page.route('**/v1/stats/recommendations?*', (route) =>
      route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'the database is busy' }) }),
    );
    await page.selectOption('#view-kind', 'stateUnderReview');
    await page.locator('#error:not([hidden])').waitFor();
    t.match(await page.locator('#error').textContent(), /503: the database is busy/);
    t.equal(await page.locator('#csv-link').getAttribute('href'), null, 'no CSV link to the view shown before');
    t.equal(await page.locator('#recommendations-total').textContent(), '');
    const failed = problems();
    t.ok(failed.length > 0 && failed.every((p) => p.includes('503')), `only the refused request: ${failed.join('; ')}`);
  });
});

function withoutTotal(counts: Record<string, number>): Record<string, number> {
  const { total: _total, ...rest } = counts;
  return rest;
}
