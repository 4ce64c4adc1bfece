// The review dashboard: one page over the public JSON API, nothing else (what any NGO could build).
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

// Beside the page's own folder, under whatever path a proxy puts before both (/api/dashboard/ → /api/v1/).
const API = new URL('../v1/', window.location.href);
const PAGE_SIZE = 25;
/** How long an answer is awaited: past the API's own bound on a request (REQUEST_TIMEOUT_MS, 30 s by default). */
const ANSWER_WITHIN_S = 45;

/** A request that failed: its HTTP status (0 for no answer, or one that is not the API's JSON), and whether trying
 * again may cure it (a 5xx, a 429, no answer: not a 4xx, which would be answered the same). */
class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }

  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

const POSITIONS: [key: string, label: string][] = [
  ['supported', 'Supported'],
  ['partially_supported', 'Partially supported'],
  ['noted', 'Noted'],
  ['pending', 'Pending (no final answer yet)'],
  ['unknown', 'Unknown (no source records one)'],
];
const IMPLEMENTATION: [key: string, label: string][] = [
  ['implemented', 'Implemented'],
  ['partially_implemented', 'Partially implemented'],
  ['not_implemented', 'Not implemented'],
  ['unknown', 'Unknown (never assessed)'],
];
const RELATIONS: [key: string, label: string][] = [
  ['earlier', 'Earlier cycle'],
  ['same', 'Same cycle'],
  ['later', 'Later cycle'],
];
const REGIONAL_GROUPS = ['African', 'Asia-Pacific', 'Eastern European', 'GRULAC', 'WEOG'];
/** The table's filters: the form's fields, and the page's URL parameters besides the view's own. */
const FILTERS = ['stateUnderReview', 'cycle', 'recommendingState', 'regionalGroup', 'theme', 'position', 'implementation', 'recurring', 'q'];
// Each at least 3:1 against the white page (WCAG 1.4.11), and segments parted by a white line, so that two
// greens side by side stay two segments.
const POSITION_COLOURS: Record<string, string> = {
  supported: '#1a7f37', partially_supported: '#4d9a62', noted: '#b42318', pending: '#bf8700', unknown: '#8c959f',
};

/** What the page shows: one review, one state under review across its reviews, or one recommending state across
 * every state. Each is its own URL parameter (`review`, `stateUnderReview`, `recommendingState`), the first one in
 * the URL; the API's filter for it is `reviewId`, `stateUnderReview` or `recommendingState`. */
type Kind = 'review' | 'stateUnderReview' | 'recommendingState';
const KINDS: Kind[] = ['review', 'stateUnderReview', 'recommendingState'];
const SCHEMES: Record<string, string> = { uhri: 'OHCHR', 'upr-info': 'UPR Info', local: 'local' };
/** The filters whose options the API gives (the view's states, themes and cycles): a URL naming one waits for them. */
const ASKED_OPTIONS = ['stateUnderReview', 'cycle', 'recommendingState', 'theme'];

interface Reading { paragraph: string | null; position: string | null; positionLabel: string | null; positionSource: string | null }
interface Source { id: string; title: string; publisher: string | null; url: string; publishedOn: string | null; reading?: Reading | null }
interface Label { id: string; label: string; scheme: string; source: string | null; confidence: number | null }
interface StateRef { id: string; name: string }
interface Review { id: string; stateUnderReview: StateRef; cycle: number; session: number | null; reportSymbol: string | null }
interface Recommendation {
  id: string; reviewId: string; stateUnderReview: StateRef; cycle: number; paragraph: string | null; text: string; verbatim: boolean; recommendingStates: StateRef[];
  unresolvedRecommendingStates: string[]; position: string | null; positionLabel: string | null;
  positionSource: string | null; implementation: string | null; themes: Label[]; sources: Source[];
  recurrence: { count: number; earliestCycle: number | null };
}
interface Related {
  id: string; reviewId: string; cycle: number; recommendingStates: StateRef[]; position: string | null;
  text: string; score: number; relation: string;
}
interface Assessment { id: string; status: string; assessedOn: string; rationale: string; sources: Source[] }
interface DevelopmentRef { id: string; title: string; date: string; direction: string }
interface Development extends DevelopmentRef { summary: string; sources: Source[] }
interface Page<T> { data: T[]; meta: { total: number; nextCursor: string | null } }
interface Theme { id: string; label: string; scheme: string }
interface Summary {
  recommendations: { byPosition: Record<string, number>; byImplementation: Record<string, number> };
  developments: { total: number };
}

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;
/** A count as the page's English reads it: 1,234,567 (digits grouped). */
const counted = (n: number) => n.toLocaleString('en');
const labelOf = (pairs: [string, string][], key: string | null) => pairs.find(([k]) => k === (key ?? 'unknown'))![1];

/** GET from the API; a failure names the request and what went wrong: the API's own problem text, no answer, no
 * answer in time, or an answer that is not the API’s JSON (a proxy’s error page, a body cut off). One a retry may
 * cure (a 5xx, a 429, no answer) is marked `retryable`, and says how long the API asks to wait (Retry-After): the
 * page never retries by itself, the user may. Aborted by `signal`, it rejects with its AbortError, which showError
 * leaves unsaid (a newer load superseded it). */
async function get<T>(path: string, params: URLSearchParams = new URLSearchParams(), signal?: AbortSignal): Promise<T> {
  const url = new URL(path, API);
  url.search = params.toString();
  // A request the API never answers (a proxy or a network that holds it) is given up: "Loading…" is never for good.
  const bounded = new AbortController();
  const onAbort = () => bounded.abort(signal!.reason);
  signal?.addEventListener('abort', onAbort);
  const timer = setTimeout(() => bounded.abort(new ApiError(`${url.pathname} did not answer within ${ANSWER_WITHIN_S} seconds`, 0)), ANSWER_WITHIN_S * 1000);
  const failure = (error: unknown, what: string) => {
    if (signal?.aborted) return error;
    if (bounded.signal.aborted) return bounded.signal.reason as ApiError;
    return new ApiError(`${what}: ${(error as Error).message}`, 0);
  };
  try {
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: 'application/json' }, signal: bounded.signal });
    } catch (error) {
      throw failure(error, `Could not reach the API for ${url.pathname}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      if (signal?.aborted || bounded.signal.aborted || (error as Error).name !== 'SyntaxError') throw failure(error, `The answer for ${url.pathname} was cut off`);
      body = undefined; // not JSON: a proxy's page, or a body cut off
    }
    if (!response.ok) {
      const problem = (body ?? {}) as { title?: string; detail?: string };
      const said = problem.detail ?? problem.title ?? `${response.statusText || 'an error'}, not the API’s own answer (a proxy’s?)`;
      const wait = Number(response.headers.get('retry-after'));
      const after = wait > 0 ? ` (the API asks to wait ${wait} second${wait === 1 ? '' : 's'} before trying again)` : '';
      throw new ApiError(`${url.pathname} answered ${response.status}: ${said}${after}`, response.status);
    }
    if (body === undefined) throw new ApiError(`${url.pathname} answered with something other than the API’s JSON (a proxy’s page, or an answer cut off)`, 0);
    return body as T;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** A stored text set among other words: isolated (<bdi>), so that a direction control or a right-to-left script in
 * it reorders only itself (an unclosed U+202E in an assessment's rationale printed its source's title backwards). */
const isolated = (text: string): HTMLElement => element('bdi', text);

function link(source: Source): HTMLAnchorElement {
  const a = element('a');
  a.append(isolated(source.title));
  a.href = source.url;
  a.rel = 'noopener';
  return a;
}

/** A machine label of confidence 1: a UHRI theme the crosswalk derived from UPR Info's own coding, not a classifier's guess. */
const derivedFromUprInfo = (theme: Label) => theme.source === 'machine' && theme.confidence === 1;

/** Themes, each machine label marked as such in its own words (not by colour alone): a guess is never a fact. */
function themeList(themes: Label[]): HTMLElement {
  const list = element('span', undefined, 'themes');
  if (themes.length === 0) list.append(element('span', 'none recorded', 'unknown'));
  themes.forEach((theme, i) => {
    const machine = theme.source === 'machine';
    const confidence = theme.confidence === null ? '' : `, ${Math.round(theme.confidence * 100)}%`;
    const item = element('span', undefined, machine ? 'theme machine' : 'theme');
    const derived = derivedFromUprInfo(theme);
    item.append(isolated(theme.label), derived ? ' (automatic, from UPR Info’s issue)' : machine ? ` (automatic${confidence})` : '');
    item.dataset.id = theme.id;
    item.dataset.source = theme.source ?? '';
    if (derived) item.title = 'Derived automatically from the issue UPR Info coded, by a fixed table of issues and themes; not checked by a person';
    else if (machine) item.title = 'Tagged automatically by a classifier, not checked by a person; the percentage is the chance that it is right, as measured on texts it had not seen';
    list.append(...(i ? ['; ', item] : [item]));
  });
  return list;
}

/** The recommendations to the same state whose text is most like this one's, most similar first (the API's order). */
async function relatedSection(id: string, signal: AbortSignal): Promise<HTMLElement> {
  const section = element('section');
  section.id = 'related';
  section.setAttribute('aria-labelledby', 'related-heading');
  const heading = element('h3', 'Related recommendations');
  heading.id = 'related-heading';
  section.append(heading, element('p', 'Recommendations to the same state whose wording is most like this one, in any cycle; most similar first. The similarity compares words, not meaning: 0 to 1, not a probability.', 'note'));
  let related: Related[];
  try {
    related = (await get<{ data: Related[] }>(`recommendations/${encodeURIComponent(id)}/related`, new URLSearchParams({ limit: '10' }), signal)).data;
  } catch (error) {
    const failed = element('p', `Could not load related recommendations: ${(error as Error).message}`, 'related-error');
    failed.setAttribute('role', 'alert');
    section.append(failed);
    return section;
  }
  if (related.length === 0) section.append(element('p', 'No similar recommendation to this state in our data.', 'unknown related-empty'));
  const list = element('ol', undefined, 'related');
  for (const r of related) {
    const item = element('li');
    item.dataset.id = r.id;
    const facts = element('p', undefined, 'related-facts');
    const states = element('span', r.recommendingStates.length ? undefined : 'recommending state unknown', r.recommendingStates.length ? undefined : 'unknown');
    r.recommendingStates.forEach((s, i) => states.append(...(i ? [', '] : []), isolated(s.name)));
    facts.append(
      element('strong', `Cycle ${r.cycle}`), ` (${labelOf(RELATIONS, r.relation).toLowerCase()}) · review ${r.reviewId} · `,
      element('span', `similarity ${r.score.toFixed(2)}`, 'score'), ' · ', states, ' · position: ',
      element('span', labelOf(POSITIONS, r.position), r.position ? 'position' : 'position unknown'),
    );
    const open = element('button', r.text, 'link');
    open.type = 'button';
    open.addEventListener('click', () => void openDetail(r.id).catch(failed(() => openDetail(r.id), 'detail')));
    item.append(facts, open);
    list.append(item);
  }
  if (related.length > 0) section.append(list);
  return section;
}

/** Says what failed, once: the message is an alert (a screen reader says it as it appears), and the keyboard goes
 * to its "Try again", named by its own text only (the message focused too was said twice: as the alert, and as the
 * element focused). One a retry may cure (see ApiError) offers to try again, by `retry`: once per click, never by
 * itself; one that would fail the same leaves the keyboard where it was. `of` names the part of the page it was (a
 * detail's failure is no longer news once a detail opens). */
function showError(error: unknown, { retry, of = '' }: { retry?: () => Promise<void>; of?: string } = {}): void {
  if ((error as Error).name === 'AbortError') return; // a load superseded by a newer one: not a failure
  const box = $('#error');
  box.replaceChildren(`Something failed: ${(error as Error).message}`);
  box.dataset.of = of;
  let again: HTMLButtonElement | undefined;
  if (retry && error instanceof ApiError && error.retryable) {
    again = element('button', 'Try again');
    again.type = 'button';
    again.addEventListener('click', () => {
      // The button goes with the message: the keyboard waits where the page says what it does, then goes to the
      // recommendations' heading once they have loaded (the status is empty by then), unless moved meanwhile.
      $('#status').focus();
      clearError();
      void retry().then(() => {
        if (document.activeElement === $('#status')) focusRecommendations();
      }, failed(retry, of));
    });
    box.append(' ', again);
  }
  box.hidden = false;
  $('#status').textContent = '';
  // Where the eye goes: the message is at the top, the action that failed may be far below it.
  again?.focus();
}

/** A handler of a failure of `retry`'s: said, and offered again. */
const failed = (retry: () => Promise<void>, of?: string) => (error: unknown) => showError(error, { retry, of });

function clearError(): void {
  $('#error').hidden = true;
  $('#error').replaceChildren();
}

/** Recommending states as a list of names; a name no state matched is shown as printed, and said to be so. */
function statesOf(r: { recommendingStates: StateRef[]; unresolvedRecommendingStates: string[] }): (Node | string)[] {
  const parts: (Node | string)[] = [];
  const add = (node: Node | string) => parts.push(...(parts.length ? [', ', node] : [node]));
  for (const state of r.recommendingStates) add(isolated(state.name));
  for (const name of r.unresolvedRecommendingStates) {
    const unmatched = element('span', undefined, 'unknown unresolved');
    unmatched.append('“', isolated(name), '” (as printed; not recognised as a state)');
    add(unmatched);
  }
  if (parts.length === 0) parts.push(element('span', 'unknown', 'unknown'));
  return parts;
}

// Every load is numbered: an answer that arrives after a newer load began is dropped, so that a slow answer for
// an earlier review, filter or detail never overwrites what was asked for since. Its requests are aborted then
// too, so that a user clicking through filters does not leave the server answering each (on PostgreSQL an
// aborted read is cancelled).
const loads = { review: 0, table: 0, detail: 0 };
const requests = { review: new AbortController(), table: new AbortController(), detail: new AbortController() };

/** Begins a load of `kind`: the one before it is superseded and its requests aborted. Its number and its signal. */
function begin(kind: keyof typeof loads): { load: number; signal: AbortSignal } {
  requests[kind].abort();
  requests[kind] = new AbortController();
  return { load: ++loads[kind], signal: requests[kind].signal };
}

const charts = new Map<string, Chart>();

const CHART_INK = { color: Chart.defaults.color, borderColor: Chart.defaults.borderColor };

/** In forced colours (a high-contrast theme) a canvas keeps its own colours while the page behind it takes the
 * theme's: on a black theme Chart.js's grey labels stood at 3.7:1 and its grid was not seen. There the charts' text
 * and lines take the theme's text colour, read as each chart is drawn. */
function inkCharts(): void {
  const forced = window.matchMedia('(forced-colors: active)').matches;
  const ink = getComputedStyle(document.body).color;
  Chart.defaults.color = forced ? ink : CHART_INK.color;
  Chart.defaults.borderColor = forced ? ink : CHART_INK.borderColor;
}

/** A label without its explanation in parentheses ("Pending (no final answer yet)" → "Pending"). */
const shortLabel = (label: string) => label.replace(/ \(.*\)$/, '');

/** A bar chart and, beside it, the same numbers as a table (for screen readers, and to read exact figures). The
 * chart's axis names each bar shortly: Chart.js gives its labels at most half the chart's width and cuts off the
 * start of a longer one ("nding (no final answer yet)" at 360 px, and beside the per-cycle figure at any width);
 * the table keeps the whole label. */
function drawCounts(name: string, pairs: [string, string][], counts: Record<string, number>): void {
  const values = pairs.map(([key]) => counts[key] ?? 0);
  charts.get(name)?.destroy();
  inkCharts();
  charts.set(
    name,
    new Chart($<HTMLCanvasElement>(`#${name}-chart`), {
      type: 'bar',
      data: { labels: pairs.map(([, label]) => shortLabel(label)), datasets: [{ data: values, backgroundColor: '#0b57d0' }] },
      options: { indexAxis: 'y', maintainAspectRatio: false, animation: false, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
    }),
  );
  const table = $<HTMLTableElement>(`#${name}-table`);
  table.replaceChildren();
  pairs.forEach(([key, label], i) => {
    const row = table.insertRow();
    row.append(element('th', label));
    const cell = element('td', String(values[i]), 'number');
    cell.dataset.key = key;
    row.append(cell);
    row.firstElementChild!.setAttribute('scope', 'row');
  });
}

/** Positions per cycle: a stacked bar per cycle and, beside it, a table of the same counts (the API's groups).
 * Returns the cycles. */
function drawByCycle(groups: { cycle: number; position: string; count: number }[]): number[] {
  const cycles = [...new Set(groups.map((g) => g.cycle))].sort((a, b) => a - b);
  const count = (cycle: number, key: string) => groups.find((g) => g.cycle === cycle && g.position === key)?.count ?? 0;
  charts.get('cycles')?.destroy();
  inkCharts();
  charts.set(
    'cycles',
    new Chart($<HTMLCanvasElement>('#cycles-chart'), {
      type: 'bar',
      data: {
        labels: cycles.map((c) => `Cycle ${c}`),
        datasets: POSITIONS.map(([key, label]) => ({ label, data: cycles.map((c) => count(c, key)), backgroundColor: POSITION_COLOURS[key], borderColor: '#ffffff', borderWidth: 1 })),
      },
      options: {
        maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      },
    }),
  );
  const table = $<HTMLTableElement>('#cycles-table');
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const label of ['Cycle', ...POSITIONS.map(([key, l]) => (key === 'unknown' || key === 'pending' ? shortLabel(l) : l)), 'Total']) {
    const th = element('th', label);
    th.scope = 'col';
    head.append(th);
  }
  const body = table.createTBody();
  if (cycles.length === 0) {
    const cell = element('td', 'No recommendation recorded.', 'unknown');
    cell.colSpan = POSITIONS.length + 2;
    body.insertRow().append(cell);
  }
  for (const cycle of cycles) {
    const row = body.insertRow();
    const th = element('th', `Cycle ${cycle}`);
    th.scope = 'row';
    row.append(th);
    for (const [key] of POSITIONS) {
      const cell = element('td', String(count(cycle, key)), 'number');
      cell.dataset.cycle = String(cycle);
      cell.dataset.key = key;
      row.append(cell);
    }
    const total = element('td', String(POSITIONS.reduce((sum, [key]) => sum + count(cycle, key), 0)), 'number');
    total.dataset.cycle = String(cycle);
    total.dataset.key = 'total';
    row.append(total);
  }
  return cycles;
}

/** A table wider than its box scrolls inside it; the box then takes the keyboard's focus, so that the arrow keys
 * scroll it too (a table of plain text has nothing else to focus), and leaves the Tab order when it fits again. */
function scrollableByKeyboard(box: HTMLElement): void {
  const observer = new ResizeObserver(() => {
    if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
    else box.removeAttribute('tabindex');
  });
  observer.observe(box);
  observer.observe(box.querySelector('table')!);
}

/** A page button offered or not. One not offered is marked so (aria-disabled), not disabled: a disabled button
 * drops the keyboard's focus, and Next pressed (its page loading, or the last one shown) left the keyboard nowhere. */
function offerPage(button: string, on: boolean): void {
  $(button).setAttribute('aria-disabled', String(!on));
}

const offered = (button: string) => $(button).getAttribute('aria-disabled') !== 'true';

/** While the table loads, and when it fails to, nothing of the query before it passes for its answer: no total,
 * no CSV link (it downloaded the rows shown before), no page to go to from rows of another query (Next sent the
 * last query's cursor with the new filters). The rows still shown are marked busy, and dimmed. */
function unsetTable(): void {
  $('#recommendations-total').textContent = '';
  $('#page-rows').textContent = '';
  for (const csv of ['#csv-link', '#csv-excel-link']) $(csv).removeAttribute('href');
  $('#page-number').textContent = '';
  offerPage('#previous-page', false);
  offerPage('#next-page', false);
}

/** Nothing of the view shown before stays on the page while another loads (or fails to). */
function clearReview(): void {
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
  for (const name of ['positions', 'implementation', 'cycles']) $(`#${name}-table`).replaceChildren();
  $('#review-title').textContent = '';
  $('#developments-total').textContent = '';
  $('#timeline').replaceChildren();
  $('#recommendations tbody').replaceChildren();
  unsetTable();
}

async function showTimeline(scope: URLSearchParams, load: number, signal: AbortSignal): Promise<void> {
  const params = new URLSearchParams([...scope, ['limit', '500']]);
  const page = await get<Page<Development>>('developments', params, signal);
  if (load !== loads.review) return;
  const shown = page.data.length < page.meta.total ? `, the first ${page.data.length} shown` : '';
  $('#developments-total').textContent = `(${counted(page.meta.total)}${shown})`;
  const list = $('#timeline');
  list.replaceChildren();
  if (page.data.length === 0) list.append(element('li', `No developments recorded for this ${view.kind === 'review' ? 'review' : 'state'}.`, 'unknown'));
  for (const development of page.data) {
    const item = element('li', undefined, development.direction);
    item.dataset.id = development.id;
    item.append(element('time', development.date), ' ', element('span', development.direction, 'direction'));
    item.append(element('div', development.title));
    const cited = element('div');
    development.sources.forEach((source, i) => cited.append(i ? ', ' : 'Source: ', link(source)));
    item.append(cited);
    list.append(item);
  }
}

let themeSchemes: Promise<Map<string, string>> | undefined;

/** Fills a filter's list: "any", then the options. */
function fillOptions(name: string, options: [string, string][]): void {
  const select = $<HTMLFormElement>('#filters').elements.namedItem(name) as HTMLSelectElement;
  select.replaceChildren(new Option('any', ''), ...options.map(([value, label]) => new Option(label, value)));
}

const byLabel = (a: [string, string], b: [string, string]) => a[1].localeCompare(b[1]);

/** The filters the view offers, and the options it knows without asking: at once, so that the table can be asked
 * beside the view's lists (a URL naming no filter of ASKED_OPTIONS needs none of their answers). */
function offerFilters(): void {
  const form = $<HTMLFormElement>('#filters');
  const offer = (name: string, on: boolean) => {
    const select = form.elements.namedItem(name) as HTMLSelectElement;
    select.disabled = !on;
    select.closest('label')!.hidden = !on;
  };
  offer('recommendingState', view.kind !== 'recommendingState');
  offer('stateUnderReview', view.kind === 'recommendingState');
  offer('cycle', view.kind !== 'review');
  for (const name of ASKED_OPTIONS) fillOptions(name, []);
  fillOptions('regionalGroup', REGIONAL_GROUPS.map((g) => [g, g]));
  fillOptions('position', POSITIONS);
  fillOptions('implementation', IMPLEMENTATION);
}

/** The filters' options the API gives for the view: its recommending states (or states under review) and themes.
 * The cycles of an across-view are its per-cycle chart's (see showView). */
async function fillFilterOptions(scope: URLSearchParams, load: number, signal: AbortSignal): Promise<void> {
  // Asked once for the page; a failure is not kept (every view after it failed the same, until a reload).
  themeSchemes ??= get<{ data: Theme[] }>('themes').then(
    (themes) => new Map(themes.data.map((t) => [t.id, t.scheme])),
    (error: unknown) => {
      themeSchemes = undefined;
      throw error;
    },
  );
  type ThemeCount = { theme: string | null; themeLabel: string | null; labelSource: string | null; count: number };
  const stats = <T>(groupBy: string) =>
    get<{ data: T[] }>('stats/recommendations', new URLSearchParams([...scope, ['groupBy', groupBy]]), signal);
  const none = Promise.resolve({ data: [] });
  // The filter that is the view itself (a recommending state's own) is neither offered nor sent. The themes are
  // counted by who gave their labels, in one request (asked twice before: every label, and those not a machine's).
  const [states, themes, schemes, statesReviewed] = await Promise.all([
    view.kind === 'recommendingState' ? none : stats<{ recommendingState: string; recommendingStateName: string }>('recommendingState'),
    stats<ThemeCount>('theme,labelSource'),
    themeSchemes,
    view.kind === 'recommendingState' ? stats<{ stateUnderReview: string; stateUnderReviewName: string }>('stateUnderReview') : none,
  ]);
  if (load !== loads.review) return;
  fillOptions('stateUnderReview', statesReviewed.data.map((s): [string, string] => [s.stateUnderReview, s.stateUnderReviewName]).sort(byLabel));
  // A null group holds the recommendations without a state or theme: not an option to filter by.
  fillOptions('recommendingState', (states.data as { recommendingState: string; recommendingStateName: string }[]).filter((s) => s.recommendingState).map((s): [string, string] => [s.recommendingState, s.recommendingStateName]).sort(byLabel));
  // Two vocabularies share labels ("Right to health" of OHCHR and of UPR Info): each option names its own. A
  // theme that only a classifier gave in this view says so: filtering by it selects machine guesses.
  const labels = new Map<string, string>();
  const curated = new Set<string>();
  for (const t of themes.data) {
    if (t.theme === null) continue;
    labels.set(t.theme, t.themeLabel!);
    if (t.labelSource !== 'machine') curated.add(t.theme);
  }
  fillOptions(
    'theme',
    [...labels]
      .map(([theme, label]): [string, string] => {
        const scheme = SCHEMES[schemes.get(theme) ?? ''] ?? schemes.get(theme);
        const automatic = curated.has(theme) ? '' : ', automatic labels only';
        return [theme, `${label}${scheme || automatic ? ` (${scheme ?? 'other'}${automatic})` : ''}`];
      })
      .sort(byLabel),
  );
}

// The table's query: the view (a review or a state), the filters, and a stack of cursors for going back (null: the
// first page's; undefined: a page before the one a link named, whose cursor the page does not know).
// `arriving`: the view is loading and has not yet set its table's filters (see showView).
const view = { kind: 'review' as Kind, id: '', cursors: [] as (string | null | undefined)[], loading: false, arriving: false, detail: null as string | null };

/** The URL parameter of the recommendation whose detail is open: a link to it opens the same detail. */
const DETAIL = 'recommendation';
/** The URL parameters of the table's page past the first: its number, and the API's cursor that reads it. A reload
 * or a link reads that page, one request whatever its number; the cursor resumes after its keys, so rows added or
 * deleted since move the page's rows, never make it fail. Pages 2 to 40,000 (a million rows). */
const PAGE = 'page';
const CURSOR = 'cursor';
const MAX_PAGE = 40_000;

/** What the page's history entry keeps: the cursors of the pages before the table's, so that Previous walks back
 * after a reload (the browser keeps an entry's state then; a link opened elsewhere has none). */
interface EntryState { detailDepth?: number; cursors?: (string | null | undefined)[] }
const entryState = (): EntryState => (history.state as EntryState | null) ?? {};

/** The API's filter for the view itself. */
function scope(): URLSearchParams {
  return new URLSearchParams({ [view.kind === 'review' ? 'reviewId' : view.kind]: view.id });
}

/** The form's filters applied (a disabled field is the view's own, or not offered in it: FormData leaves it out). */
function filterParams(): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData($<HTMLFormElement>('#filters'))) {
    if (typeof value === 'string' && value.trim() !== '') params.set(name, value.trim());
  }
  return params;
}

function viewParams(): URLSearchParams {
  return new URLSearchParams([...scope(), ...filterParams()]);
}

/** The page's own URL: the view first, then the filters applied, then the detail open, so that a reload, a link or
 * Back shows the same view. */
function pageUrl(): string {
  const query = new URLSearchParams([[view.kind, view.id], ...filterParams()]);
  if (view.cursors.length > 1) {
    query.set(PAGE, String(view.cursors.length));
    query.set(CURSOR, view.cursors.at(-1)!);
  }
  if (view.detail) query.set(DETAIL, view.detail);
  return `${window.location.pathname}?${query}`;
}

function remember(): void {
  const url = pageUrl();
  if (url !== `${window.location.pathname}${window.location.search}`) history.pushState(null, '', url);
}

/** Sets the form's fields from the URL's parameters, and returns those it could not apply, to be said: a value
 * the view has no option for, a filter the view does not take (`cycle` of one review), a parameter that is no filter
 * (a misspelt `postion`), a second value of a filter (the form takes one). Each left unsaid showed rows the URL did
 * not ask for as if they were its answer. */
function applyUrlFilters(query: URLSearchParams): string[] {
  const form = $<HTMLFormElement>('#filters');
  const field = (name: string) => (FILTERS.includes(name) ? (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement) : null);
  for (const name of FILTERS) if (!field(name)!.disabled) field(name)!.value = '';
  const ignored: string[] = [];
  const seen = new Set<string>();
  // The first view parameter is the view (or said not to be stored), and the detail is opened by its own.
  const own = [[...query.keys()].find((key) => (KINDS as string[]).includes(key)), DETAIL, PAGE, CURSOR];
  for (const [name, value] of query) {
    const first = !seen.has(name);
    seen.add(name);
    if (first && own.includes(name)) continue;
    const filter = field(name);
    if (first && filter && !filter.disabled) filter.value = value;
    if (!first || !filter || filter.disabled || filter.value !== value) {
      if (first && filter && !filter.disabled) filter.value = '';
      ignored.push(`${name}=${value}`);
    }
  }
  return ignored;
}

/** Sets the table's page from the URL's `page` and `cursor` (see PAGE), and returns them if they name no page, to be
 * said. The cursors before it are those the page holds, or the history entry's; else unknown (Previous then goes
 * to the first page, and says so). */
function applyUrlPage(query: URLSearchParams): string[] {
  const [pages, cursors] = [query.getAll(PAGE), query.getAll(CURSOR)];
  const known = view.cursors;
  view.cursors = [null];
  if (pages.length === 0 && cursors.length === 0) return [];
  const number = Number(pages[0]);
  const cursor = cursors[0];
  if (pages.length === 1 && cursors.length === 1 && /^[1-9][0-9]*$/.test(pages[0]!) && number >= 2 && number <= MAX_PAGE && cursor) {
    const kept = [known, entryState().cursors].find((stack) => stack?.length === number && stack.at(-1) === cursor);
    view.cursors = kept ?? [null, ...Array<undefined>(number - 2).fill(undefined), cursor];
    return [];
  }
  return [...pages.map((p) => `${PAGE}=${p}`), ...cursors.map((c) => `${CURSOR}=${c}`)];
}

/** The table's filters and page, as the URL's key. */
const tableKey = () => `${filterParams()}#${view.cursors.length}:${view.cursors.at(-1)}`;

/** What the URL asked that the view does not show, said beside it. */
function sayNotApplied(ignored: string[]): void {
  if (ignored.length) $('#status').textContent = `Not applied (this view has no such filter or option, and takes one value per filter): ${ignored.join(', ')}`;
}

/** What a printed page says it shows (its form is not printed): the filters applied in words, and its address. */
function viewInWords(): string {
  const form = $<HTMLFormElement>('#filters');
  const applied = [...filterParams()].map(([name, value]) => {
    const field = form.elements.namedItem(name) as HTMLSelectElement | HTMLInputElement;
    const label = field.closest('label')!.firstChild!.textContent!.trim();
    return `${label}: ${field instanceof HTMLSelectElement ? field.selectedOptions[0]!.textContent : `“${value}”`}`;
  });
  return `Filters: ${applied.length ? applied.join('; ') : 'none'}. Printed from ${window.location.href}`;
}

async function showRecommendations(): Promise<void> {
  const { load, signal } = begin('table');
  const params = viewParams();
  params.set('limit', String(PAGE_SIZE));
  const cursor = view.cursors.at(-1);
  if (cursor) params.set('cursor', cursor);
  const table = $('#recommendations');
  table.setAttribute('aria-busy', 'true');
  unsetTable();
  $('#status').textContent = 'Loading recommendations…';
  let page: Page<Recommendation>;
  try {
    page = await get<Page<Recommendation>>('recommendations', params, signal);
  } catch (error) {
    if (load !== loads.table) return;
    // The rows of an earlier query must not stand as the answer to this one.
    table.removeAttribute('aria-busy');
    $('#recommendations-total').textContent = 'No recommendations shown';
    // A 400 is the filters'; anything else (the API busy, down, or not answering) is not: they may well apply.
    const why = error instanceof ApiError && error.status === 400 ? 'These filters could not be applied' : 'The recommendations could not be loaded';
    const cell = element('td', `${why}: see the message above.`, 'unknown');
    cell.colSpan = view.kind === 'review' ? 6 : 7;
    $<HTMLTableSectionElement>('#recommendations tbody').replaceChildren();
    $<HTMLTableSectionElement>('#recommendations tbody').insertRow().append(cell);
    throw error;
  }
  if (load !== loads.table) return;
  table.removeAttribute('aria-busy');
  $('#status').textContent = '';
  clearError();
  const csv = new URL('recommendations', API);
  csv.search = new URLSearchParams([...viewParams(), ['format', 'csv']]).toString();
  $<HTMLAnchorElement>('#csv-link').href = csv.href;
  csv.searchParams.set('bom', 'true');
  $<HTMLAnchorElement>('#csv-excel-link').href = csv.href;
  $('#recommendations-total').textContent = `${counted(page.meta.total)} recommendation${page.meta.total === 1 ? '' : 's'} match`;
  $('#printed-view').textContent = viewInWords();
  const body = $<HTMLTableSectionElement>('#recommendations tbody');
  body.replaceChildren();
  const across = view.kind !== 'review';
  if (page.data.length === 0) {
    const cell = element('td', 'No recommendation matches these filters.', 'unknown');
    cell.colSpan = across ? 7 : 6;
    body.insertRow().append(cell);
  }
  for (const recommendation of page.data) {
    const row = body.insertRow();
    row.dataset.id = recommendation.id;
    const open = element('button', recommendation.text, 'link');
    open.type = 'button';
    open.addEventListener('click', () => void openDetail(recommendation.id).catch(failed(() => openDetail(recommendation.id), 'detail')));
    row.append(
      element('td', recommendation.paragraph ?? '—'),
      element('td'),
      element('td'),
      element('td', labelOf(POSITIONS, recommendation.position), recommendation.position ? undefined : 'unknown'),
      element('td', labelOf(IMPLEMENTATION, recommendation.implementation), recommendation.implementation ? undefined : 'unknown'),
      element('td'),
    );
    row.cells[1]!.append(open);
    row.cells[2]!.append(...statesOf(recommendation));
    const { count, earliestCycle } = recommendation.recurrence;
    if (count > 0) {
      const since = earliestCycle === null ? '' : `, since cycle ${earliestCycle}`;
      row.cells[1]!.append(element('span', `Recurring: similar earlier request${since}`, 'recurring'));
    }
    row.cells[5]!.append(themeList(recommendation.themes));
    if (across) {
      // Across reviews, each row says whose review it is: the state under review and the cycle.
      const review = element('td', undefined, 'review');
      review.dataset.review = recommendation.reviewId;
      review.append(
        ...(view.kind === 'stateUnderReview' ? [`Cycle ${recommendation.cycle}`] : [isolated(recommendation.stateUnderReview.name), `, cycle ${recommendation.cycle}`]),
        element('span', recommendation.reviewId, 'note block'),
      );
      row.prepend(review);
    }
  }
  offerPage('#previous-page', view.cursors.length > 1);
  // After a link to a page, the pages before it are not known: Previous goes to the first, and says so.
  $('#previous-page').textContent = view.cursors.length > 2 && view.cursors.at(-2) === undefined ? 'First page' : 'Previous page';
  offerPage('#next-page', page.meta.nextCursor !== null);
  $('#next-page').dataset.cursor = page.meta.nextCursor ?? '';
  $('#page-number').textContent = `Page ${view.cursors.length}`;
  // Said with the total (a live region): which rows a page shows, when there is more than one.
  if (view.cursors.length > 1 || page.meta.nextCursor !== null) {
    const first = (view.cursors.length - 1) * PAGE_SIZE + 1;
    const rows = page.data.length ? `: rows ${counted(first)}–${counted(first + page.data.length - 1)}` : '';
    $('#page-rows').textContent = `, page ${view.cursors.length}${rows}`;
  }
}

/** A position as a source printed it, after the position's own label: ` (printed: “Accepted”)`. */
const printedAs = (label: string | null): (Node | string)[] => (label ? [' (printed: “', isolated(label), '”)'] : []);

/** What each source records of the position, when the sources were merged: they may disagree (a Working Group's
 * "consider" against the final "Noted"). */
function sourceWithReading(source: Source): HTMLElement {
  const item = element('li');
  item.append(link(source));
  const reading = source.reading;
  if (reading && (reading.position || reading.positionLabel)) {
    item.append(` — records the position as ${labelOf(POSITIONS, reading.position).toLowerCase()}`, ...printedAs(reading.positionLabel));
  }
  return item;
}

let detailOpener: HTMLElement | null = null;

const DETAIL_LOADING = 'Loading recommendation ';
/** What the status said before a detail began to load (a URL's filters not applied), said again once it has. */
let statusBeforeDetail = '';

/** No detail is awaited any more: neither marked busy nor said to be loading. */
function detailSettled(): void {
  $('#detail').removeAttribute('aria-busy');
  if ($('#status').textContent!.startsWith(DETAIL_LOADING)) $('#status').textContent = statusBeforeDetail;
}

/** How many details were opened one from another since the last URL without one: closing goes back past them all. */
const detailDepth = (): number => entryState().detailDepth ?? 0;

/** Opens a recommendation's detail; one opened by a click (not from the URL) is a new entry of the page's history. */
async function openDetail(id: string, fromUrl = false): Promise<void> {
  const { load, signal } = begin('detail');
  const opener = document.activeElement instanceof HTMLElement && !$('#detail').contains(document.activeElement) ? document.activeElement : null;
  // Until the answer comes, the detail open is another recommendation's: it is marked busy, and the wait is said.
  if (!$('#status').textContent!.startsWith(DETAIL_LOADING)) statusBeforeDetail = $('#status').textContent!;
  $('#status').textContent = `${DETAIL_LOADING}${id}…`;
  $('#detail').setAttribute('aria-busy', 'true');
  let answers: [Recommendation & { assessments: Assessment[]; developments: DevelopmentRef[] }, HTMLElement];
  try {
    answers = await Promise.all([
      get<Recommendation & { assessments: Assessment[]; developments: DevelopmentRef[] }>(`recommendations/${encodeURIComponent(id)}`, undefined, signal),
      relatedSection(id, signal),
    ]);
  } catch (error) {
    if (load !== loads.detail) return; // another detail was asked for since: this one's failure is not news
    throw error;
  } finally {
    if (load === loads.detail) detailSettled();
  }
  const [r, related] = answers;
  if (load !== loads.detail) return;
  if (opener) detailOpener = opener;
  const body = $('#detail-body');
  body.replaceChildren();
  const text = element('blockquote', r.text);
  body.append(text);
  if (!r.verbatim) body.append(element('p', 'Paraphrase: not the official wording.', 'unknown'));
  const facts = element('dl');
  const fact = (term: string, ...value: (Node | string)[]) => {
    const dd = element('dd');
    dd.append(...value);
    facts.append(element('dt', term), dd);
  };
  fact('Review', isolated(r.stateUnderReview.name), `, cycle ${r.cycle} (${r.reviewId})`, ...(view.kind !== 'review' || r.reviewId === view.id ? [] : [element('span', 'not the review shown above', 'note block')]));
  fact('Recommending states', ...statesOf(r));
  const position = element('span', labelOf(POSITIONS, r.position), r.position ? undefined : 'unknown');
  fact('Position', position, ...printedAs(r.positionLabel));
  if (r.positionSource) {
    fact('Position recorded in', /^https?:\/\//.test(r.positionSource) ? link({ id: '', title: r.positionSource, publisher: null, url: r.positionSource, publishedOn: null }) : isolated(r.positionSource));
  }
  if (r.sources.length > 0) {
    const sources = element('ul', undefined, 'sources');
    sources.append(...r.sources.map(sourceWithReading));
    fact('Text from', sources);
  }
  const machineNote = element(
    'span',
    'Themes marked automatic were given by a classifier, with the chance that each is right' +
      (r.themes.some(derivedFromUprInfo) ? ', or derived from the issues UPR Info coded' : '') +
      '; no person has checked them.',
    'note block',
  );
  fact('Themes', themeList(r.themes), ...(r.themes.some((t) => t.source === 'machine') ? [machineNote] : []));
  if (r.recurrence.count > 0) {
    // Similar wording (a score of at least 0.5), not a judgement that the same thing was asked: say so.
    fact('Recurring', `${r.recurrence.count} earlier-cycle recommendation${r.recurrence.count === 1 ? '' : 's'} worded like this one (similarity at least 0.5), since cycle ${r.recurrence.earliestCycle ?? 'unknown'}; read them below: a similar wording is most often, not always, the same request`);
  }
  body.append(facts);

  body.append(element('h3', 'Assessments'));
  if (r.assessments.length === 0) body.append(element('p', 'Never assessed.', 'unknown'));
  for (const assessment of r.assessments) {
    const p = element('p');
    p.append(element('strong', `${labelOf(IMPLEMENTATION, assessment.status)} (${assessment.assessedOn})`), ': ', isolated(assessment.rationale));
    assessment.sources.forEach((source) => p.append(' — ', link(source)));
    body.append(p);
  }
  body.append(element('h3', 'Developments'));
  if (r.developments.length === 0) body.append(element('p', 'No development linked.', 'unknown'));
  const list = element('ul');
  for (const d of r.developments) {
    const item = element('li', `${d.date} · ${d.direction} · `);
    item.append(isolated(d.title));
    list.append(item);
  }
  body.append(list, related);
  $('#detail-heading').replaceChildren('Recommendation ', isolated(r.paragraph ?? r.id), view.kind === 'review' && r.reviewId === view.id ? '' : ` (${r.reviewId})`);
  view.detail = r.id;
  if (!fromUrl && pageUrl() !== `${window.location.pathname}${window.location.search}`) {
    history.pushState({ detailDepth: detailDepth() + 1, cursors: view.cursors }, '', pageUrl());
  }
  const detail = $('#detail');
  detail.hidden = false;
  if ($('#error').dataset.of === 'detail') clearError(); // another detail's failure: no longer news
  detail.focus();
}

/** Closes the detail and puts the keyboard back where it was when the detail was opened. Closed by the user, the
 * history entries of the details opened are left (Back does not reopen them); from the URL, nothing is pushed. */
function closeDetail(fromUrl = false): void {
  begin('detail');
  detailSettled();
  $('#detail').hidden = true;
  view.detail = null;
  if (!fromUrl) {
    const depth = detailDepth();
    if (depth > 0) history.go(-depth);
    else history.replaceState({ cursors: view.cursors }, '', pageUrl());
  }
  const back = detailOpener?.isConnected ? detailOpener : $('#recommendations-heading');
  if (back === $('#recommendations-heading')) back.tabIndex = -1;
  back.focus();
  detailOpener = null;
}

/** A view to show: its kind, the id its URL parameter holds, and its title. */
interface Target { kind: Kind; id: string; title: string }

/** The table's head: across reviews, a first column says whose review each row is. */
function setColumns(): void {
  const head = $<HTMLTableRowElement>('#recommendations thead tr');
  const first = head.cells[0]!;
  const across = view.kind !== 'review';
  if (across && !first.classList.contains('review')) {
    const th = element('th', 'Review', 'review');
    th.scope = 'col';
    head.prepend(th);
  }
  if (!across && first.classList.contains('review')) first.remove();
}

/** Counts of one single-valued grouping, as the stats answer them, keyed by value. */
function countsOf(groups: Record<string, unknown>[], key: string): Record<string, number> {
  return Object.fromEntries(groups.map((g) => [String(g[key]), g.count as number]));
}

async function showView(target: Target, query = new URLSearchParams()): Promise<void> {
  const { load, signal } = begin('review');
  begin('table'); // a table still loading for the view shown before must not land on this one
  begin('detail');
  view.arriving = true;
  $('#status').textContent = 'Loading…';
  clearError();
  $('#detail').hidden = true;
  $('#detail').removeAttribute('aria-busy');
  view.detail = null;
  clearReview();
  view.kind = target.kind;
  view.id = target.id;
  view.cursors = [null];
  view.loading = true; // the form's reset below is not a user's: it must not reload the table by itself
  $<HTMLFormElement>('#filters').reset();
  view.loading = false;
  setColumns();
  const base = scope();
  $('#cycles-figure').hidden = target.kind === 'review';
  $('#recurring-noted').hidden = target.kind !== 'stateUnderReview';
  $<HTMLAnchorElement>('#recurring-noted a').href = `${window.location.pathname}?${new URLSearchParams({ stateUnderReview: target.id, position: 'noted', recurring: 'true' })}`;
  $('#developments').hidden = target.kind === 'recommendingState';
  $('#positions-caption').textContent = target.kind === 'recommendingState' ? 'Positions taken on its recommendations' : 'Positions of the state under review';
  offerFilters();
  const titled = () => {
    $('#review-title').textContent = `— ${target.title}`;
    document.title = `${target.title} — UPR tracker`;
  };
  // Everything the view shows is asked at once, its table too: the table waits for the filters' options only when
  // the URL names one of them (a value the view has no option for is said not applied, not asked). It was three
  // rounds (the charts; then the timeline and the options; then the table).
  const charts =
    target.kind === 'review'
      ? get<Summary>(`reviews/${encodeURIComponent(target.id)}/summary`, undefined, signal).then((summary) => {
          if (load !== loads.review) return;
          drawCounts('positions', POSITIONS, summary.recommendations.byPosition);
          drawCounts('implementation', IMPLEMENTATION, summary.recommendations.byImplementation);
          titled();
        })
      : (async () => {
          const stats = (groupBy: string) => get<{ data: Record<string, unknown>[] }>('stats/recommendations', new URLSearchParams([...base, ['groupBy', groupBy]]), signal);
          const [positions, implementation, byCycle] = await Promise.all([stats('position'), stats('implementation'), stats('cycle,position')]);
          if (load !== loads.review) return;
          drawCounts('positions', POSITIONS, countsOf(positions.data, 'position'));
          drawCounts('implementation', IMPLEMENTATION, countsOf(implementation.data, 'implementation'));
          // The cycle filter's options are the per-cycle chart's cycles (asking groupBy=cycle too was the same cycles).
          const cycles = drawByCycle(byCycle.data as { cycle: number; position: string; count: number }[]);
          fillOptions('cycle', cycles.map((c): [string, string] => [String(c), `Cycle ${c}`]).sort(byLabel));
          titled();
        })();
  const lists = [charts, target.kind === 'recommendingState' ? undefined : showTimeline(base, load, signal), fillFilterOptions(base, load, signal)];
  const url = new URLSearchParams(window.location.search);
  const own = [...url.keys()].find((key) => (KINDS as string[]).includes(key));
  const waits = [...url.keys()].some((key) => key !== own && ASKED_OPTIONS.includes(key));
  let ignored: string[] = [];
  const table = { asked: false, settled: false };
  const rows = (waits ? Promise.all(lists) : Promise.resolve()).then(async () => {
    if (load !== loads.review) return;
    // The filters are the URL's now, not those the view was asked with: a filter applied while the view loaded (a
    // search typed at once, on a big database) is in the URL only. Set back to the URL before it, they were lost,
    // and the table showed every row under a URL that named the filter.
    view.arriving = false;
    const asked = new URLSearchParams(window.location.search);
    ignored = [...applyUrlFilters(asked), ...applyUrlPage(asked)];
    table.asked = true;
    await showRecommendations().finally(() => (table.settled = true));
  });
  try {
    await Promise.all([...lists, rows]);
  } catch (error) {
    if (load === loads.review) {
      // A view that failed to load arrives no more: Apply, Clear and the recurring-noted link load the table
      // themselves again (left arriving, they only changed the URL, and the table stayed empty). Its table, if
      // still on its way, is given up: no rows stand beside a view said to have failed (nor would their answer
      // take the failure's message away).
      view.arriving = false;
      if (table.asked && !table.settled) {
        begin('table');
        $('#recommendations').removeAttribute('aria-busy');
        $('#recommendations tbody').replaceChildren();
      }
    }
    throw error;
  }
  if (load !== loads.review) return;
  $('#status').textContent = '';
  sayNotApplied(ignored);
}

/** Keys that move a closed list's choice, each firing its change (a letter moves to the next name it starts). */
const MOVES = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown'];

/** Runs `act` on a choice made in `select`. A choice moved to by the keyboard changes at every key: each was a new
 * view shown, its requests sent and a history entry pushed (ArrowDown held through 150 reviews ran into the API's
 * rate limit). Such a choice is acted on when confirmed: Enter, or leaving the list (WCAG 3.2.2, On Input). One
 * made with the mouse, or in the list's open popup, is acted on at once. */
function onChoice(select: HTMLSelectElement, act: () => void): void {
  let moving = false;
  let pending = false;
  const confirm = () => {
    if (!pending) return;
    pending = false;
    act();
  };
  select.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') return confirm();
    if (!MOVES.includes(event.key) && event.key.length !== 1) return;
    // The list changes its choice, and fires change, while handling this key: a change until the next task is this key's.
    moving = true;
    setTimeout(() => (moving = false));
  });
  select.addEventListener('change', () => {
    pending = true;
    if (!moving) confirm();
  });
  select.addEventListener('blur', confirm);
}

/** Every stored review, page by page. */
async function allReviews(): Promise<Review[]> {
  const reviews: Review[] = [];
  let cursor: string | null = null;
  do {
    const params: URLSearchParams = new URLSearchParams({ limit: '500' });
    if (cursor) params.set('cursor', cursor);
    const page: Page<Review> = await get<Page<Review>>('reviews', params);
    reviews.push(...page.data);
    cursor = page.meta.nextCursor;
  } while (cursor);
  return reviews;
}

/** The skip link takes the keyboard to the recommendations' heading, past the chooser and a timeline of up to 500
 * developments, each with its links (45 Tab presses before the first filter for a state with 41). It moves the focus
 * itself: a fragment in the URL would be one more entry of the history, which names the view. */
function skipToRecommendations(event: Event): void {
  event.preventDefault();
  focusRecommendations();
}

/** The keyboard to the recommendations' heading (focusable by script only). */
function focusRecommendations(): void {
  const heading = $('#recommendations-heading');
  heading.tabIndex = -1;
  heading.focus();
}

async function main(): Promise<void> {
  $('#skip-to-recommendations').addEventListener('click', skipToRecommendations);
  document.querySelectorAll<HTMLElement>('.table-wrap').forEach(scrollableByKeyboard);
  const kindSelect = $<HTMLSelectElement>('#view-kind');
  const selects: Record<Kind, HTMLSelectElement> = {
    review: $<HTMLSelectElement>('#review'),
    stateUnderReview: $<HTMLSelectElement>('#state-under-review'),
    recommendingState: $<HTMLSelectElement>('#recommending-state'),
  };
  const choices: Record<Kind, HTMLElement> = { review: $('#review-choice'), stateUnderReview: $('#state-choice'), recommendingState: $('#recommender-choice') };
  type StateCount = { recommendingState: string | null; recommendingStateName: string | null; count: number };
  const [reviews, recommenders] = await Promise.all([
    allReviews(),
    get<{ data: StateCount[] }>('stats/recommendations', new URLSearchParams({ groupBy: 'recommendingState' })),
  ]);
  const titles = new Map<string, Target>();
  const add = (target: Target, label: string) => {
    titles.set(`${target.kind}:${target.id.toUpperCase()}`, target);
    selects[target.kind].append(new Option(label, target.id));
  };
  const byState = new Map<string, Review[]>();
  for (const review of reviews) {
    const session = review.session ? `, session ${review.session}` : '';
    add({ kind: 'review', id: review.id, title: `${review.stateUnderReview.name}, cycle ${review.cycle}${session}` }, `${review.stateUnderReview.name} — cycle ${review.cycle}${session} (${review.id})`);
    byState.set(review.stateUnderReview.id, [...(byState.get(review.stateUnderReview.id) ?? []), review]);
  }
  for (const [id, held] of [...byState].sort((a, b) => a[1][0]!.stateUnderReview.name.localeCompare(b[1][0]!.stateUnderReview.name))) {
    const name = held[0]!.stateUnderReview.name;
    const cycles = held.map((r) => r.cycle).sort((a, b) => a - b).join(', ');
    add({ kind: 'stateUnderReview', id, title: `${name}, all reviews (cycle${held.length === 1 ? '' : 's'} ${cycles})` }, `${name} (${held.length} review${held.length === 1 ? '' : 's'})`);
  }
  // A null group holds the recommendations without a recommending state: not one to choose.
  const made = recommenders.data.filter((s): s is StateCount & { recommendingState: string; recommendingStateName: string } => s.recommendingState !== null);
  for (const s of made.sort((a, b) => a.recommendingStateName.localeCompare(b.recommendingStateName))) {
    add({ kind: 'recommendingState', id: s.recommendingState, title: `Recommendations by ${s.recommendingStateName}, to every state` }, `${s.recommendingStateName} (${s.count})`);
  }
  const find = (kind: Kind, id: string | null) => (id ? titles.get(`${kind}:${id.toUpperCase()}`) : undefined);
  if (reviews.length === 0) {
    $('#status').textContent = 'No review is stored yet.';
    // Nothing to choose, chart or filter: no empty chooser, no filter or page button that would ask for no review.
    for (const part of document.querySelectorAll<HTMLElement>('.skip, .chooser, main > section')) part.hidden = true;
    return;
  }
  /** The chooser shows the view shown: its kind, and its own list. */
  const choose = (target: Target) => {
    kindSelect.value = target.kind;
    for (const kind of KINDS) choices[kind].hidden = kind !== target.kind;
    selects[target.kind].value = target.id;
  };
  const fallback = () => find('review', 'KGZ-3') ?? find('review', reviews[0]!.id)!;
  const missing: Record<Kind, string> = { review: 'no review', stateUnderReview: 'no review of', recommendingState: 'no recommendation by' };
  /** The view and filters the URL names (its first view parameter); one we do not hold is said so, not silently replaced.
   * `again`: the view is loaded whole even if it is the one shown (trying again after it failed to load). */
  const fromUrl = async (again = false) => {
    const query = new URLSearchParams(window.location.search);
    const kind = [...query.keys()].find((key): key is Kind => (KINDS as string[]).includes(key));
    const wanted = kind ? query.get(kind) : null;
    const target = (kind && find(kind, wanted)) || fallback();
    choose(target);
    if (!again && target.kind === view.kind && target.id === view.id) {
      // The same view, filters and page (a detail opened or closed): the table stays as it is. A view still loading
      // applies the URL's filters and page itself when it gets to its table (its filters' options may not be there
      // yet): a table asked for here was asked again then.
      const before = tableKey();
      const ignored = view.arriving ? [] : [...applyUrlFilters(query), ...applyUrlPage(query)];
      if (tableKey() !== before) await showRecommendations();
      sayNotApplied(ignored);
    } else {
      await showView(target, query);
    }
    const detail = query.get(DETAIL);
    if (detail && detail !== view.detail) await openDetail(detail, true);
    if (!detail && view.detail) closeDetail(true);
    if (kind && !find(kind, wanted)) {
      const instead = target.kind === 'review' ? `${target.title.replace(/, session \d+$/, '')} (${target.id})` : target.title;
      showError(new Error(`${missing[kind]} “${wanted}” is stored; showing ${instead} instead`));
    }
  };
  const go = (target: Target) => {
    choose(target);
    history.pushState(null, '', `${window.location.pathname}?${new URLSearchParams({ [target.kind]: target.id })}`);
    void showView(target).catch(failed(() => showView(target)));
  };
  for (const kind of KINDS) onChoice(selects[kind], () => go(find(kind, selects[kind].value)!));
  onChoice(kindSelect, () => {
    const kind = kindSelect.value as Kind;
    // From a review to its state, or from a state to its latest review; else what that list last showed.
    const shownState = view.kind === 'review' ? view.id.replace(/-\d+$/, '') : view.kind === 'stateUnderReview' ? view.id : null;
    const latest = shownState ? byState.get(shownState)?.at(-1)?.id ?? null : null;
    const target =
      (kind === 'stateUnderReview' && find(kind, shownState)) ||
      (kind === 'review' && view.kind === 'stateUnderReview' && find(kind, latest)) ||
      find(kind, selects[kind].value) ||
      fallback();
    go(target);
  });
  window.addEventListener('popstate', () => void fromUrl().catch(failed(() => fromUrl(true))));
  const refresh = () => void showRecommendations().catch(failed(showRecommendations));
  /** The user's filters: the page's URL, and the table's first page of them; while a view loads, only the URL (the
   * view applies it when it gets to its table). */
  const applyFilters = () => {
    view.cursors = [null];
    remember();
    if (!view.arriving) refresh();
  };
  $<HTMLFormElement>('#filters').addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilters();
  });
  $<HTMLFormElement>('#filters').addEventListener('reset', () => {
    if (view.loading) return;
    setTimeout(applyFilters); // after the form has cleared its fields
  });
  /** A page turned is the URL's, in place: Back goes to the filters before, not through the pages. */
  const turned = () => {
    history.replaceState({ ...entryState(), cursors: view.cursors }, '', pageUrl());
    refresh();
  };
  $('#next-page').addEventListener('click', () => {
    if (!offered('#next-page')) return;
    view.cursors.push($('#next-page').dataset.cursor!);
    turned();
  });
  $('#previous-page').addEventListener('click', () => {
    if (!offered('#previous-page')) return;
    view.cursors.pop();
    if (view.cursors.at(-1) === undefined) view.cursors = [null];
    turned();
  });
  $('#recurring-noted a').addEventListener('click', (event) => {
    event.preventDefault();
    // Exactly the link's view (its href, as a new tab opens it): no filter applied before stays on.
    const form = $<HTMLFormElement>('#filters');
    view.loading = true; // the form's reset is not a user's: it must not reload the table by itself
    form.reset();
    view.loading = false;
    (form.elements.namedItem('position') as HTMLSelectElement).value = 'noted';
    (form.elements.namedItem('recurring') as HTMLSelectElement).value = 'true';
    applyFilters();
  });
  $('#close-detail').addEventListener('click', () => closeDetail());
  $('#detail').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeDetail();
  });
  await fromUrl().catch(failed(() => fromUrl(true)));
}

// Before the page has its lists there is nothing to keep: trying again is loading it again.
main().catch(failed(async () => window.location.reload()));
