import type { Db } from '../src/db/open.js';
import { bumpRevision } from '../src/db/revision.js';
import { periodOf } from '../src/common/dates.js';
import { random } from '../src/common/random.js';
import { paragraphSortKey } from '../src/recommendations/paragraph.js';
import { materializeStale } from '../src/recommendations/documents.js';

// A synthetic but realistic database for the benchmark (and the large-export test): every state reviewed
// in each of the four UPR cycles, N recommendations spread over those reviews with one to three
// recommending states, themes, SDGs, affected persons, positions (some unknown), some assessments,
// developments linked to recommendations, and statements. Texts mix plain English with commas, quotes,
// non-ASCII names and the odd cell a spreadsheet would take for a formula. Written with prepared
// statements in one transaction, straight into the database file. Deterministic for a given seed.

export interface GenerateOptions {
  recommendations: number;
  seed?: number;
  /** The timestamp records are created relative to. */
  now?: Date;
  /**
   * Recommendation texts to draw from (bench/real-texts.ts reads the real record's) instead of the phrases
   * below: full text, ranking and relatedness then meet a real vocabulary. Each is used as given or with a
   * qualifier appended, so that copies of one text are not all alike.
   */
  texts?: readonly string[];
}

export interface GenerateReport {
  reviews: number;
  recommendations: number;
  developments: number;
  statements: number;
  assessments: number;
  /** Rows written, all tables (FTS index rows not counted). */
  rows: number;
  seconds: number;
}

const VERBS = [
  'Ensure',
  'Adopt',
  'Strengthen',
  'Take further measures to',
  'Consider ratifying',
  'Continue its efforts to',
  'Guarantee',
  'Establish',
  'Investigate promptly and impartially',
  'Repeal or amend',
  'Step up efforts to',
  'Bring into line with international standards',
];
const OBJECTS = [
  'the independence of the judiciary',
  'the Optional Protocol to the Convention against Torture',
  'legislation on "foreign agents" and non-governmental organizations',
  'the rights of Roma, Sinti and Travellers',
  'access to education for girls, including in rural areas',
  'all allegations of torture and ill-treatment in places of detention',
  'a national mechanism for reporting and follow-up',
  'freedom of expression, online and offline',
  'the national human rights institution, in line with the Paris Principles',
  'domestic violence, marital rape and early marriage',
  'the protection of human rights defenders and journalists',
  'the death penalty, with a view to its abolition',
  'birth registration for all children, including refugees and stateless persons',
  'the right to safe drinking water and sanitation',
  'labour rights of migrant workers in the «kafala» system',
  'the situation of persons with disabilities in Côte d’Ivoire-style institutional care',
  'the criminalization of consensual same-sex relations',
];
const QUALIFIERS = [
  '',
  ', in line with its international obligations',
  ', including by allocating adequate human and financial resources',
  ' and report on progress at the next review',
  ', with the participation of civil society',
  ' (as recommended by the Committee on the Rights of the Child)',
  ', and ensure that perpetrators are brought to justice',
  '; and ensure effective remedies for victims',
];
const ORGANIZATIONS = ['Human Rights Watch', 'Amnesty International', 'UPR Info', 'ILGA World', 'FIDH – Fédération internationale'];
const POSITION_WEIGHTS: [string | null, number][] = [
  ['supported', 0.58],
  ['noted', 0.25],
  ['partially_supported', 0.04],
  ['pending', 0.03],
  [null, 0.1],
];
const DIRECTIONS = ['progress', 'setback', 'neutral'] as const;
const STATUSES = ['not_implemented', 'partially_implemented', 'implemented'] as const;

const CYCLE_YEARS = [2008, 2012, 2017, 2022];

export function generateDatabase(db: Db, options: GenerateOptions): GenerateReport {
  const started = performance.now();
  const rand = random(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const some = <T>(items: readonly T[], min: number, max: number): T[] => {
    const n = Math.min(items.length, min + Math.floor(rand() * (max - min + 1)));
    const chosen = new Set<T>();
    while (chosen.size < n) chosen.add(pick(items));
    return [...chosen];
  };
  // The last value takes whatever rounding leaves of the weights' sum.
  const weighted = <T>(weights: [T, number][]): T => {
    let r = rand();
    let i = 0;
    while (i < weights.length - 1 && (r -= weights[i]![1]) >= 0) i++;
    return weights[i]![0];
  };
  const nowMs = (options.now ?? new Date()).getTime();
  const stamp = (maxDaysAgo: number) => new Date(nowMs - Math.floor(rand() * maxDaysAgo * 86_400_000)).toISOString();
  const client = db.$client;
  // A large page cache for the bulk load: index inserts in random key order otherwise thrash the default 2 MB.
  // 2 GiB, not 256 MiB: 1M (a 4.8 GB file) took 554 CPU s instead of 683 (user 393 s instead of 521; one run
  // each, loaded machine), peak RSS 3.1 GB instead of 0.9; a small database never fills it.
  const cacheSize = client.pragma('cache_size', { simple: true });
  client.pragma('cache_size = -2097152');

  const states = client.prepare('select code from states order by code').pluck().all() as string[];
  const themes = client.prepare('select id from themes').pluck().all() as string[];
  const groups = client.prepare('select id from affected_persons_groups').pluck().all() as string[];
  const goals = Array.from({ length: 17 }, (_, i) => i + 1);

  const insertSource = client.prepare(
    'insert into sources (id, title, publisher, url, published_on, published_on_precision) values (?, ?, ?, ?, ?, ?)',
  );
  const insertReview = client.prepare(`insert or ignore into reviews (id, state_code, cycle, wg_session, dialogue_date,
      report_symbol, adoption_session, adoption_date, adoption_date_precision, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, 'month', ?, ?)`);
  const insertReviewSource = client.prepare('insert into review_sources (review_id, source_id) values (?, ?)');
  const insertRecommendation = client.prepare(`insert into recommendations (id, review_id, paragraph,
      paragraph_sort_key, text, verbatim, position, position_source, source_id, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertRecommender = client.prepare('insert into recommendation_states (recommendation_id, state_code) values (?, ?)');
  const insertTheme = client.prepare("insert into recommendation_themes (recommendation_id, theme_id, label_source) values (?, ?, 'curated')");
  const insertSdg = client.prepare("insert into recommendation_sdgs (recommendation_id, goal, label_source) values (?, ?, 'curated')");
  const insertGroup = client.prepare(
    "insert into recommendation_affected_persons (recommendation_id, group_id, label_source) values (?, ?, 'curated')",
  );
  const insertAssessment = client.prepare(`insert into assessments (id, recommendation_id, status, assessed_on,
      rationale, source_id, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertDevelopment = client.prepare(`insert into developments (id, state_code, review_id, title, summary, date,
      date_precision, period_start, period_end, direction, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertDevelopmentTheme = client.prepare('insert into development_themes (development_id, theme_id) values (?, ?)');
  const insertDevelopmentLink = client.prepare(
    'insert into development_recommendations (development_id, recommendation_id) values (?, ?)',
  );
  const insertDevelopmentSource = client.prepare('insert into development_sources (development_id, source_id) values (?, ?)');
  const insertStatement = client.prepare(`insert into statements (id, review_id, speaker_state_code,
      speaker_organization, stage, date, date_precision, summary, source_id, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, 'day', ?, ?, ?, ?)`);

  const report: GenerateReport = {
    reviews: 0,
    recommendations: 0,
    developments: 0,
    statements: 0,
    assessments: 0,
    rows: 0,
    seconds: 0,
  };
  const run = (statement: { run: (...args: unknown[]) => { changes: number } }, ...args: unknown[]) => {
    report.rows += statement.run(...args).changes;
  };

  // The statistics of the tables being filled, taken again once they are large: the planner otherwise keeps
  // the seed's (a few rows each) for the whole transaction, and scanned whole link tables for every batch of
  // documents materializeStale rebuilds (quadratic: 150k took 156 s, 1M never finished).
  const analyze = () => client.pragma('optimize = 0x10002');
  client.transaction(() => {
    // Reviews that do not exist yet (the seed has KGZ-3), each with its Working Group report as source.
    const reviews: { id: string; state: string; cycle: number; year: number; source: string }[] = [];
    states.forEach((state, index) => {
      for (let cycle = 1; cycle <= 4; cycle++) {
        const id = `${state}-${cycle}`;
        const year = CYCLE_YEARS[cycle - 1]! + (index % 4);
        const session = (cycle - 1) * 14 + 1 + (index % 14);
        const symbol = `A/HRC/${7 + (cycle - 1) * 12 + (index % 12)}/${10 + (index % 80)}`;
        const created = stamp(3000);
        const inserted = insertReview.run(id, state, cycle, session, `${year}-0${1 + (index % 9)}-1${index % 10}`, symbol,
          session + 9, `${year}-0${1 + ((index + 3) % 9)}`, created, created).changes;
        if (inserted === 0) continue;
        report.rows += 1;
        const source = `bench-report-${id}`;
        run(insertSource, source, `Report of the Working Group on the Universal Periodic Review: ${state}`, 'United Nations',
          `https://docs.un.org/en/${symbol}?bench=${id}`, `${year}-06-01`, 'day');
        run(insertReviewSource, id, source);
        reviews.push({ id, state, cycle, year, source });
      }
    });
    report.reviews = reviews.length;

    // Recommendations, spread evenly over the new reviews.
    const perReview = reviews.map((_, r) => Math.floor(options.recommendations / reviews.length) +
      (r < options.recommendations % reviews.length ? 1 : 0));
    const reviewRecommendations: string[][] = reviews.map(() => []);
    reviews.forEach((review, r) => {
      const pairs = new Map<string, number>();
      for (let k = 1; k <= perReview[r]!; k++) {
        const recommenders = rand() < 0.9 ? [pick(states)] : some(states, 2, 3);
        const first = recommenders[0]!;
        const seq = (pairs.get(first) ?? 0) + 1;
        pairs.set(first, seq);
        const id = `${review.id}-${first}-${seq}`;
        const paragraph = rand() < 0.95 ? `${110 + (r % 50)}.${k}` : null;
        let text = options.texts === undefined ? `${pick(VERBS)} ${pick(OBJECTS)}${pick(QUALIFIERS)}.`
          : `${pick(options.texts).replace(/[.;,\s]+$/, '')}${pick(QUALIFIERS)}.`;
        if (rand() < 0.002) text = `-${text}`;
        if (rand() < 0.002) text = `${text}\nSee also the previous cycle.`;
        const position = weighted(POSITION_WEIGHTS);
        const created = stamp(2000);
        run(insertRecommendation, id, review.id, paragraph, paragraphSortKey(paragraph), text, rand() < 0.3 ? 1 : 0,
          position, position === null ? null : `A/HRC/${review.cycle * 12}/${r % 90}/Add.1`, review.source, created,
          rand() < 0.2 ? stamp(100) : created);
        for (const state of recommenders) run(insertRecommender, id, state);
        for (const theme of some(themes, 1, 3)) run(insertTheme, id, theme);
        for (const goal of some(goals, 0, 2)) run(insertSdg, id, goal);
        for (const group of some(groups, 0, 2)) run(insertGroup, id, group);
        if (rand() < 0.08) {
          run(insertAssessment, `${id}-a1`, id, pick(STATUSES), `${review.year + 2}-0${1 + (k % 9)}-15`,
            'Assessed from the mid-term report, NGO submissions and news coverage.', review.source, created, created);
          report.assessments += 1;
        }
        reviewRecommendations[r]!.push(id);
        report.recommendations += 1;
      }
    });
    analyze();

    // Developments: one per 40 recommendations, each linked to recommendations of its review.
    const developmentCount = Math.ceil(options.recommendations / 40);
    for (let i = 1; i <= developmentCount; i++) {
      const r = Math.floor(rand() * reviews.length);
      const review = reviews[r]!;
      const precision = weighted<'day' | 'month' | 'year'>([['day', 0.6], ['month', 0.3], ['year', 0.1]]);
      const year = review.year + Math.floor(rand() * 4);
      const date =
        precision === 'year' ? `${year}` : precision === 'month' ? `${year}-0${1 + (i % 9)}` : `${year}-0${1 + (i % 9)}-1${i % 10}`;
      const period = periodOf(date, precision);
      const id = `bench-dev-${i}`;
      const created = stamp(1000);
      run(insertDevelopment, id, review.state, review.id, `${pick(VERBS)} ${pick(OBJECTS)}: follow-up ${i}`,
        `Reported by ${pick(ORGANIZATIONS)}: ${pick(OBJECTS)}${pick(QUALIFIERS)}.`, date, precision, period.start,
        period.end, pick(DIRECTIONS), created, created);
      for (const theme of some(themes, 1, 2)) run(insertDevelopmentTheme, id, theme);
      for (const recommendation of some(reviewRecommendations[r]!, 1, 3)) run(insertDevelopmentLink, id, recommendation);
      const source = `bench-dev-source-${i}`;
      run(insertSource, source, `News report ${i}`, pick(ORGANIZATIONS), `https://news.example.org/${i}`, null, null);
      run(insertDevelopmentSource, id, source);
      report.developments += 1;
    }

    // Statements: one per 100 recommendations.
    const statementCount = Math.ceil(options.recommendations / 100);
    for (let i = 1; i <= statementCount; i++) {
      const review = pick(reviews);
      const byState = rand() < 0.7;
      const created = stamp(1000);
      run(insertStatement, `bench-st-${i}`, review.id, byState ? pick(states) : null, byState ? null : pick(ORGANIZATIONS),
        rand() < 0.5 ? 'interactive_dialogue' : 'adoption', `${review.year}-0${1 + (i % 9)}-2${i % 8}`,
        `Welcomed progress on ${pick(OBJECTS)}${pick(QUALIFIERS)}.`, review.source, created, created);
      report.statements += 1;
    }
    analyze();
    bumpRevision(db);
    // No related recommendations: the synthetic texts are combinations of a few phrases, so nearly every pair
    // of a state would be related (50 relations per record); `npm run relate` computes them if wanted.
    db.$client.prepare('delete from recommendation_relations_stale').run();
    materializeStale(db);
  })();

  // As after any bulk import: refresh the query planner's statistics.
  client.pragma('optimize = 0x10002');
  client.pragma(`cache_size = ${cacheSize}`);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
