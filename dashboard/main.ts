// The review dashboard: one page over the public JSON API, nothing else (what any NGO could build).
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const API = new URL('/v1/', window.location.origin);
const PAGE_SIZE = 25;

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
/** The table's filters: the form's fields, and the page's URL parameters besides `review`. */
const FILTERS = ['recommendingState', 'regionalGroup', 'theme', 'position', 'implementation', 'recurring', 'q'];
const SCHEMES: Record<string, string> = { uhri: 'OHCHR', 'upr-info': 'UPR Info', local: 'local' };
// Label sources that are not a classifier's: a theme counted under none of them is only a machine guess.
const NOT_MACHINE = 'ohchr,upr-info,curated';

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
const labelOf = (pairs: [string, string][], key: string | null) => pairs.find(([k]) => k === (key ?? 'unknown'))![1];

/** GET from the API; a failure names the request and the API's own problem text. */
async function get<T>(path: string, params: URLSearchParams = new URLSearchParams()): Promise<T> {
  const url = new URL(path, API);
  url.search = params.toString();
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new Error(`Could not reach the API for ${url.pathname}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { title?: string; detail?: string };
    throw new Error(`${url.pathname} answered ${response.status}: ${problem.detail ?? problem.title ?? response.statusText}`);
  }
  return (await response.json()) as T;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function link(source: Source): HTMLAnchorElement {
  const a = element('a', source.title);
  a.href = source.url;
  a.rel = 'noopener';
  return a;
}

/** Themes, each machine label marked as such in its own words (not by colour alone): a guess is never a fact. */
function themeList(themes: Label[]): HTMLElement {
  const list = element('span', undefined, 'themes');
  if (themes.length === 0) list.append(element('span', 'none recorded', 'unknown'));
  themes.forEach((theme, i) => {
    const machine = theme.source === 'machine';
    const confidence = theme.confidence === null ? '' : `, ${Math.round(theme.confidence * 100)}%`;
    const item = element('span', machine ? `${theme.label} (automatic${confidence})` : theme.label, machine ? 'theme machine' : 'theme');
    item.dataset.id = theme.id;
    item.dataset.source = theme.source ?? '';
    if (machine) item.title = 'Tagged automatically by a classifier, not checked by a person; the percentage is its confidence';
    list.append(...(i ? ['; ', item] : [item]));
  });
  return list;
}

/** The recommendations to the same state whose text is most like this one's, most similar first (the API's order). */
async function relatedSection(id: string): Promise<HTMLElement> {
  const section = element('section');
  section.id = 'related';
  section.setAttribute('aria-labelledby', 'related-heading');
  const heading = element('h3', 'Related recommendations');
  heading.id = 'related-heading';
  section.append(heading, element('p', 'Recommendations to the same state whose wording is most like this one, in any cycle; most similar first. The similarity compares words, not meaning.', 'note'));
  let related: Related[];
  try {
    related = (await get<{ data: Related[] }>(`recommendations/${encodeURIComponent(id)}/related`, new URLSearchParams({ limit: '10' }))).data;
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
    const states = r.recommendingStates.map((s) => s.name).join(', ');
    facts.append(
      element('strong', `Cycle ${r.cycle}`), ` (${labelOf(RELATIONS, r.relation).toLowerCase()}) · review ${r.reviewId} · `,
      element('span', `similarity ${Math.round(r.score * 100)}%`, 'score'), ' · ',
      element('span', states || 'recommending state unknown', states ? undefined : 'unknown'), ' · position: ',
      element('span', labelOf(POSITIONS, r.position), r.position ? 'position' : 'position unknown'),
    );
    const open = element('button', r.text, 'link');
    open.type = 'button';
    open.addEventListener('click', () => void openDetail(r.id).catch(showError));
    item.append(facts, open);
    list.append(item);
  }
  if (related.length > 0) section.append(list);
  return section;
}

function showError(error: unknown): void {
  const box = $('#error');
  box.textContent = `Something failed: ${(error as Error).message}`;
  box.hidden = false;
  $('#status').textContent = '';
}

function clearError(): void {
  $('#error').hidden = true;
  $('#error').textContent = '';
}

/** Recommending states as a list of names; a name no state matched is shown as printed, and said to be so. */
function statesOf(r: { recommendingStates: StateRef[]; unresolvedRecommendingStates: string[] }): (Node | string)[] {
  const parts: (Node | string)[] = [];
  const add = (node: Node | string) => parts.push(...(parts.length ? [', ', node] : [node]));
  for (const state of r.recommendingStates) add(state.name);
  for (const name of r.unresolvedRecommendingStates) {
    const unmatched = element('span', `“${name}” (as printed; not recognised as a state)`, 'unknown unresolved');
    add(unmatched);
  }
  if (parts.length === 0) parts.push(element('span', 'unknown', 'unknown'));
  return parts;
}

// Every load is numbered: an answer that arrives after a newer load began is dropped, so that a slow answer for
// an earlier review, filter or detail never overwrites what was asked for since.
const loads = { review: 0, table: 0, detail: 0 };

const charts = new Map<string, Chart>();

/** A bar chart and, beside it, the same numbers as a table (for screen readers, and to read exact figures). */
function drawCounts(name: string, pairs: [string, string][], counts: Record<string, number>): void {
  const values = pairs.map(([key]) => counts[key] ?? 0);
  charts.get(name)?.destroy();
  charts.set(
    name,
    new Chart($<HTMLCanvasElement>(`#${name}-chart`), {
      type: 'bar',
      data: { labels: pairs.map(([, label]) => label), datasets: [{ data: values, backgroundColor: '#0b57d0' }] },
      options: { indexAxis: 'y', maintainAspectRatio: false, animation: false, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
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

/** Nothing of the review shown before stays on the page while another loads (or fails to). */
function clearReview(): void {
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
  for (const name of ['positions', 'implementation']) $(`#${name}-table`).replaceChildren();
  $('#review-title').textContent = '';
  $('#developments-total').textContent = '';
  $('#timeline').replaceChildren();
  $('#recommendations-total').textContent = '';
  $('#recommendations tbody').replaceChildren();
  $('#page-number').textContent = '';
  $<HTMLButtonElement>('#previous-page').disabled = true;
  $<HTMLButtonElement>('#next-page').disabled = true;
}

async function showTimeline(reviewId: string, load: number): Promise<void> {
  const params = new URLSearchParams({ reviewId, limit: '500' });
  const page = await get<Page<Development>>('developments', params);
  if (load !== loads.review) return;
  const shown = page.data.length < page.meta.total ? `, the first ${page.data.length} shown` : '';
  $('#developments-total').textContent = `(${page.meta.total}${shown})`;
  const list = $('#timeline');
  list.replaceChildren();
  if (page.data.length === 0) list.append(element('li', 'No developments recorded for this review.', 'unknown'));
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

async function fillFilterOptions(reviewId: string, load: number): Promise<void> {
  const form = $<HTMLFormElement>('#filters');
  const fill = (name: string, options: [string, string][]) => {
    const select = form.elements.namedItem(name) as HTMLSelectElement;
    select.replaceChildren(new Option('any', ''), ...options.map(([value, label]) => new Option(label, value)));
  };
  themeSchemes ??= get<{ data: Theme[] }>('themes').then((themes) => new Map(themes.data.map((t) => [t.id, t.scheme])));
  type ThemeCount = { theme: string | null; themeLabel: string; count: number };
  const [states, themes, curatedThemes, schemes] = await Promise.all([
    get<{ data: { recommendingState: string; recommendingStateName: string }[] }>('stats/recommendations', new URLSearchParams({ reviewId, groupBy: 'recommendingState' })),
    get<{ data: ThemeCount[] }>('stats/recommendations', new URLSearchParams({ reviewId, groupBy: 'theme' })),
    get<{ data: ThemeCount[] }>('stats/recommendations', new URLSearchParams({ reviewId, groupBy: 'theme', labelSource: NOT_MACHINE })),
    themeSchemes,
  ]);
  if (load !== loads.review) return;
  const byLabel = (a: [string, string], b: [string, string]) => a[1].localeCompare(b[1]);
  // A null group holds the recommendations without a state or theme: not an option to filter by.
  fill('recommendingState', states.data.filter((s) => s.recommendingState).map((s): [string, string] => [s.recommendingState, s.recommendingStateName]).sort(byLabel));
  // Two vocabularies share labels ("Right to health" of OHCHR and of UPR Info): each option names its own. A
  // theme that only a classifier gave in this review says so: filtering by it selects machine guesses.
  const labelled = themes.data.filter((t): t is ThemeCount & { theme: string } => t.theme !== null);
  const curated = new Set(curatedThemes.data.filter((t) => t.count > 0).map((t) => t.theme));
  fill(
    'theme',
    labelled
      .map((t): [string, string] => {
        const scheme = SCHEMES[schemes.get(t.theme) ?? ''] ?? schemes.get(t.theme);
        const automatic = curated.has(t.theme) ? '' : ', automatic labels only';
        return [t.theme, `${t.themeLabel}${scheme || automatic ? ` (${scheme ?? 'other'}${automatic})` : ''}`];
      })
      .sort(byLabel),
  );
  fill('regionalGroup', REGIONAL_GROUPS.map((g) => [g, g]));
  fill('position', POSITIONS);
  fill('implementation', IMPLEMENTATION);
}

// The table's query: the review, the filters, and a stack of cursors for going back.
const view = { reviewId: '', cursors: [] as (string | null)[], loading: false };

function viewParams(): URLSearchParams {
  const params = new URLSearchParams({ reviewId: view.reviewId });
  for (const [name, value] of new FormData($<HTMLFormElement>('#filters'))) {
    if (typeof value === 'string' && value.trim() !== '') params.set(name, value.trim());
  }
  return params;
}

/** The page's own URL: the review and the filters applied, so that a reload, a link or Back shows the same view. */
function pageUrl(): string {
  const params = viewParams();
  params.delete('reviewId');
  const query = new URLSearchParams({ review: view.reviewId });
  for (const [name, value] of params) query.set(name, value);
  return `${window.location.pathname}?${query}`;
}

function remember(): void {
  const url = pageUrl();
  if (url !== `${window.location.pathname}${window.location.search}`) history.pushState(null, '', url);
}

/** Sets the form's fields from the URL's parameters (a value the review has no option for is left unset). */
function applyUrlFilters(query: URLSearchParams): string[] {
  const form = $<HTMLFormElement>('#filters');
  const ignored: string[] = [];
  for (const name of FILTERS) {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
    const value = query.get(name) ?? '';
    field.value = value;
    if (field.value !== value) {
      field.value = '';
      ignored.push(`${name}=${value}`);
    }
  }
  return ignored;
}

async function showRecommendations(): Promise<void> {
  const load = ++loads.table;
  const params = viewParams();
  params.set('limit', String(PAGE_SIZE));
  const cursor = view.cursors.at(-1);
  if (cursor) params.set('cursor', cursor);
  const table = $('#recommendations');
  table.setAttribute('aria-busy', 'true');
  $('#status').textContent = 'Loading recommendations…';
  let page: Page<Recommendation>;
  try {
    page = await get<Page<Recommendation>>('recommendations', params);
  } catch (error) {
    if (load !== loads.table) return;
    // The rows of an earlier query must not stand as the answer to this one.
    table.removeAttribute('aria-busy');
    $('#recommendations-total').textContent = 'No recommendations shown';
    const cell = element('td', 'These filters could not be applied: see the message above.', 'unknown');
    cell.colSpan = 6;
    $<HTMLTableSectionElement>('#recommendations tbody').replaceChildren();
    $<HTMLTableSectionElement>('#recommendations tbody').insertRow().append(cell);
    $<HTMLButtonElement>('#previous-page').disabled = true;
    $<HTMLButtonElement>('#next-page').disabled = true;
    throw error;
  }
  if (load !== loads.table) return;
  table.removeAttribute('aria-busy');
  $('#status').textContent = '';
  clearError();
  const csv = new URL('recommendations', API);
  csv.search = new URLSearchParams([...viewParams(), ['format', 'csv']]).toString();
  $<HTMLAnchorElement>('#csv-link').href = csv.href;
  $('#recommendations-total').textContent = `${page.meta.total} recommendation${page.meta.total === 1 ? '' : 's'} match`;
  const body = $<HTMLTableSectionElement>('#recommendations tbody');
  body.replaceChildren();
  if (page.data.length === 0) {
    const cell = element('td', 'No recommendation matches these filters.', 'unknown');
    cell.colSpan = 6;
    body.insertRow().append(cell);
  }
  for (const recommendation of page.data) {
    const row = body.insertRow();
    row.dataset.id = recommendation.id;
    const open = element('button', recommendation.text, 'link');
    open.type = 'button';
    open.addEventListener('click', () => void openDetail(recommendation.id).catch(showError));
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
      row.cells[1]!.append(element('span', `Recurring: asked before${since}`, 'recurring'));
    }
    row.cells[5]!.append(themeList(recommendation.themes));
  }
  $<HTMLButtonElement>('#previous-page').disabled = view.cursors.length <= 1;
  $<HTMLButtonElement>('#next-page').disabled = page.meta.nextCursor === null;
  $('#next-page').dataset.cursor = page.meta.nextCursor ?? '';
  $('#page-number').textContent = `Page ${view.cursors.length}`;
}

/** What each source records of the position, when the sources were merged: they may disagree (a Working Group's
 * "consider" against the final "Noted"). */
function sourceWithReading(source: Source): HTMLElement {
  const item = element('li');
  item.append(link(source));
  const reading = source.reading;
  if (reading && (reading.position || reading.positionLabel)) {
    const printed = reading.positionLabel ? ` (printed: “${reading.positionLabel}”)` : '';
    item.append(` — records the position as ${labelOf(POSITIONS, reading.position).toLowerCase()}${printed}`);
  }
  return item;
}

let detailOpener: HTMLElement | null = null;

async function openDetail(id: string): Promise<void> {
  const load = ++loads.detail;
  const opener = document.activeElement instanceof HTMLElement && !$('#detail').contains(document.activeElement) ? document.activeElement : null;
  const [r, related] = await Promise.all([
    get<Recommendation & { assessments: Assessment[]; developments: DevelopmentRef[] }>(`recommendations/${encodeURIComponent(id)}`),
    relatedSection(id),
  ]);
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
  fact('Review', `${r.stateUnderReview.name}, cycle ${r.cycle} (${r.reviewId})`, ...(r.reviewId === view.reviewId ? [] : [element('span', 'not the review shown above', 'note block')]));
  fact('Recommending states', ...statesOf(r));
  const position = element('span', labelOf(POSITIONS, r.position), r.position ? undefined : 'unknown');
  fact('Position', position, r.positionLabel ? ` (printed: “${r.positionLabel}”)` : '');
  if (r.positionSource) {
    fact('Position recorded in', /^https?:\/\//.test(r.positionSource) ? link({ id: '', title: r.positionSource, publisher: null, url: r.positionSource, publishedOn: null }) : r.positionSource);
  }
  if (r.sources.length > 0) {
    const sources = element('ul', undefined, 'sources');
    sources.append(...r.sources.map(sourceWithReading));
    fact('Text from', sources);
  }
  const machineNote = element('span', 'Themes marked automatic were given by a classifier, with its confidence; no person has checked them.', 'note block');
  fact('Themes', themeList(r.themes), ...(r.themes.some((t) => t.source === 'machine') ? [machineNote] : []));
  if (r.recurrence.count > 0) {
    fact('Recurring', `asked before: ${r.recurrence.count} similar recommendation${r.recurrence.count === 1 ? '' : 's'} in earlier cycles, since cycle ${r.recurrence.earliestCycle ?? 'unknown'}`);
  }
  body.append(facts);

  body.append(element('h3', 'Assessments'));
  if (r.assessments.length === 0) body.append(element('p', 'Never assessed.', 'unknown'));
  for (const assessment of r.assessments) {
    const p = element('p');
    p.append(element('strong', `${labelOf(IMPLEMENTATION, assessment.status)} (${assessment.assessedOn})`), ': ', assessment.rationale);
    assessment.sources.forEach((source) => p.append(' — ', link(source)));
    body.append(p);
  }
  body.append(element('h3', 'Developments'));
  if (r.developments.length === 0) body.append(element('p', 'No development linked.', 'unknown'));
  const list = element('ul');
  for (const d of r.developments) list.append(element('li', `${d.date} · ${d.direction} · ${d.title}`));
  body.append(list, related);
  $('#detail-heading').textContent = `Recommendation ${r.paragraph ?? r.id}${r.reviewId === view.reviewId ? '' : ` (${r.reviewId})`}`;
  const detail = $('#detail');
  detail.hidden = false;
  detail.focus();
}

/** Closes the detail and puts the keyboard back where it was when the detail was opened. */
function closeDetail(): void {
  loads.detail++;
  $('#detail').hidden = true;
  const back = detailOpener?.isConnected ? detailOpener : $('#recommendations-heading');
  if (back === $('#recommendations-heading')) back.tabIndex = -1;
  back.focus();
  detailOpener = null;
}

async function showReview(review: Review, query = new URLSearchParams()): Promise<void> {
  const load = ++loads.review;
  loads.table++; // a table still loading for the review shown before must not land on this one
  loads.detail++;
  $('#status').textContent = 'Loading…';
  clearError();
  $('#detail').hidden = true;
  clearReview();
  view.reviewId = review.id;
  view.cursors = [null];
  view.loading = true; // the form's reset below is not a user's: it must not reload the table by itself
  $<HTMLFormElement>('#filters').reset();
  view.loading = false;
  const session = review.session ? `, session ${review.session}` : '';
  const title = `${review.stateUnderReview.name}, cycle ${review.cycle}${session}`;
  const summary = await get<Summary>(`reviews/${encodeURIComponent(review.id)}/summary`);
  if (load !== loads.review) return;
  $('#review-title').textContent = `— ${title}`;
  document.title = `${title} — UPR tracker`;
  drawCounts('positions', POSITIONS, summary.recommendations.byPosition);
  drawCounts('implementation', IMPLEMENTATION, summary.recommendations.byImplementation);
  await Promise.all([showTimeline(review.id, load), fillFilterOptions(review.id, load)]);
  if (load !== loads.review) return;
  const ignored = applyUrlFilters(query);
  await showRecommendations();
  if (load !== loads.review) return;
  $('#status').textContent = ignored.length ? `Not applied (no such option in this review): ${ignored.join(', ')}` : '';
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

async function main(): Promise<void> {
  const select = $<HTMLSelectElement>('#review');
  const reviews = await allReviews();
  for (const review of reviews) {
    const session = review.session ? `, session ${review.session}` : '';
    select.append(new Option(`${review.stateUnderReview.name} — cycle ${review.cycle}${session} (${review.id})`, review.id));
  }
  const byId = new Map(reviews.map((r) => [r.id.toUpperCase(), r]));
  const find = (id: string | null) => (id ? byId.get(id.toUpperCase()) : undefined);
  if (reviews.length === 0) {
    $('#status').textContent = 'No review is stored yet.';
    return;
  }
  /** The review and filters the URL names; a review we do not hold is said so, not silently replaced. */
  const fromUrl = async () => {
    const query = new URLSearchParams(window.location.search);
    const wanted = query.get('review');
    const review = find(wanted) ?? find('KGZ-3') ?? reviews[0]!;
    select.value = review.id;
    if (review.id === view.reviewId) {
      view.cursors = [null];
      const ignored = applyUrlFilters(query);
      await showRecommendations();
      if (ignored.length) $('#status').textContent = `Not applied (no such option in this review): ${ignored.join(', ')}`;
    } else {
      await showReview(review, query);
    }
    if (wanted !== null && !find(wanted)) {
      showError(new Error(`no review “${wanted}” is stored; showing ${review.stateUnderReview.name}, cycle ${review.cycle} (${review.id}) instead`));
    }
  };
  select.addEventListener('change', () => {
    const review = find(select.value)!;
    history.pushState(null, '', `${window.location.pathname}?${new URLSearchParams({ review: review.id })}`);
    void showReview(review).catch(showError);
  });
  window.addEventListener('popstate', () => void fromUrl().catch(showError));
  const refresh = () => void showRecommendations().catch(showError);
  $<HTMLFormElement>('#filters').addEventListener('submit', (event) => {
    event.preventDefault();
    view.cursors = [null];
    remember();
    refresh();
  });
  $<HTMLFormElement>('#filters').addEventListener('reset', () => {
    if (view.loading) return;
    view.cursors = [null];
    setTimeout(() => {
      remember();
      refresh();
    }); // after the form has cleared its fields
  });
  $('#next-page').addEventListener('click', () => {
    view.cursors.push($('#next-page').dataset.cursor!);
    refresh();
  });
  $('#previous-page').addEventListener('click', () => {
    view.cursors.pop();
    refresh();
  });
  $('#close-detail').addEventListener('click', closeDetail);
  $('#detail').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeDetail();
  });
  await fromUrl();
}

main().catch(showError);
