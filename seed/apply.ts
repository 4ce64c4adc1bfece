import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/open.js';
import { type AuditEntry, writeTransaction } from '../src/db/audit.js';
import { bumpRevision } from '../src/db/revision.js';
import * as t from '../src/db/schema.js';
import { periodOf } from '../src/common/dates.js';
import { slugify } from '../src/common/slug.js';
import { paragraphSortKey } from '../src/recommendations/paragraph.js';
import { changingStateNames } from '../src/related/state-name-changes.js';
import { normalizeStateName } from '../src/states/names.js';
import { tagRecommendations } from '../src/tagging/apply.js';
import { machineTagger } from '../src/tagging/tagger.js';
import * as kgz from './kyrgyzstan-upr3.js';
import { AFFECTED_PERSONS, SDG_GOALS, THEMES } from './labels.js';
import { STATES } from './states.js';
import { auditSeedUpdates, claimedRecords, claimKey, seedAuditEntries, type SeededIds, storedSnapshots } from './audit.js';

// Applies the reference data and the sourced facts. Idempotent: a record that already exists is left as
// it is (curators may have improved it since), so running it again only adds what is missing. Every record
// it creates gets its 'create' audit entry (actor "seed"), as a write through the API would: a mirror that
// follows the change feed from zero sees the seeded records too.

export interface SeedReport {
  inserted: number;
}

/** The ids of the seed's records, by kind. */
export function seededIds(): SeededIds {
  return {
    states: STATES.map((s) => s.code),
    sources: kgz.SOURCES.map((s) => s.id),
    reviews: kgz.REVIEWS.map((r) => r.id),
    recommendations: kgz.RECOMMENDATIONS.map((r) => r.id),
    developments: kgz.DEVELOPMENTS.map((d) => d.id),
    assessments: kgz.ASSESSMENTS.map((a) => a.id),
    statements: kgz.STATEMENTS.map((s) => s.id),
  };
}

/**
 * `claimed`: the seed's records written to by another actor (claimedRecords' keys), read from `db` when not
 * given (PostgreSQL's seed runs this on a scratch file without the audit log, and gives them).
 */
export function applySeed(db: Db, now = new Date().toISOString(), claimed?: Set<string>): SeedReport {
  const stamps = { createdAt: now, updatedAt: now };
  const themeId = (label: string) => slugify(label);
  let inserted = 0;
  const insert = <T extends Parameters<Db['insert']>[0]>(table: T, rows: T['$inferInsert'][]) => {
    if (rows.length === 0) return;
    // Chunks keep each statement under SQLite's limit on bound parameters.
    for (let i = 0; i < rows.length; i += 200) {
      inserted += db.insert(table).values(rows.slice(i, i + 200)).onConflictDoNothing().run().changes;
    }
  };

  // The seed's records of each audited kind that are not stored yet: the ones this run creates.
  const missing = (table: string, column: string, ids: readonly string[]): string[] => {
    const stored = new Set(
      db
        .all<{ id: string }>(sql`select ${sql.identifier(column)} as id from ${sql.identifier(table)}
          where ${sql.identifier(column)} in (select value from json_each(${JSON.stringify(ids)}))`)
        .map((row) => row.id),
    );
    return ids.filter((id) => !stored.has(id));
  };

  writeTransaction(db, 'seed', (context) => {
    const { tx, audit } = context;
    const seeded = seededIds();
    // A record someone else wrote to is theirs (claimedRecords): nothing is added to it, nor is it created again.
    const theirs = claimed ?? claimedRecords(tx, seeded);
    const own = (entity: keyof SeededIds) => (id: string) => !theirs.has(claimKey(entity, id));
    const absentRecommendations = missing('recommendations', 'id', seeded.recommendations);
    const createdRecommendations = absentRecommendations.filter(own('recommendations'));
    // A recommendation deleted by a curator is not there to link to or to assess.
    const present = (id: string) => !absentRecommendations.includes(id) || createdRecommendations.includes(id);
    const assessed = new Map(kgz.ASSESSMENTS.map((a) => [a.id, a.recommendationId]));
    const created: SeededIds = {
      states: missing('states', 'code', seeded.states).filter(own('states')),
      sources: missing('sources', 'id', seeded.sources),
      reviews: missing('reviews', 'id', seeded.reviews).filter(own('reviews')),
      recommendations: createdRecommendations,
      developments: missing('developments', 'id', seeded.developments).filter(own('developments')),
      assessments: missing('assessments', 'id', seeded.assessments).filter((id) => own('assessments')(id) && present(assessed.get(id)!)),
      statements: missing('statements', 'id', seeded.statements).filter(own('statements')),
    };
    const ownStates = STATES.filter((s) => own('states')(s.code));
    const ownReviews = kgz.REVIEWS.filter((r) => own('reviews')(r.id));
    const ownRecommendations = kgz.RECOMMENDATIONS.filter((r) => own('recommendations')(r.id));
    const ownDevelopments = kgz.DEVELOPMENTS.filter((d) => own('developments')(d.id));
    const ownAssessments = kgz.ASSESSMENTS.filter((a) => own('assessments')(a.id) && present(a.recommendationId));
    const ownStatements = kgz.STATEMENTS.filter((st) => own('statements')(st.id));
    // The seed's records stored before this run, as they are (none in a new database).
    const stored = storedSnapshots(tx, seeded, created);
    insert(
      t.states,
      ownStates.map(({ code, name, regionalGroup, regionalGroupNote, unMember }) => ({
        code,
        name,
        regionalGroup,
        regionalGroupNote: regionalGroupNote ?? null,
        unMember,
      })),
    );
    // (An alias a release added changes the texts related without the states' names: src/related/state-name-changes.ts.)
    changingStateNames(tx, () =>
      insert(
        t.stateAliases,
        ownStates.flatMap((s) =>
          [s.name, ...s.aliases].map((alias) => ({ key: normalizeStateName(alias), alias, stateCode: s.code })),
        ),
      ),
    );
    insert(t.themes, THEMES.map(({ label, uhri }) => ({ id: themeId(label), label, uhri, scheme: uhri ? ('uhri' as const) : ('local' as const) })));
    insert(t.affectedPersonsGroups, AFFECTED_PERSONS.map(({ label, uhri }) => ({ id: slugify(label), label, uhri })));
    insert(t.sdgGoals, [...SDG_GOALS]);
    insert(t.sources, kgz.SOURCES.map(({ titleAsPublished: _, ...source }) => source));

    insert(
      t.reviews,
      ownReviews.map(({ sourceIds: _, ...review }) => ({ ...review, ...stamps })),
    );
    insert(
      t.reviewSources,
      ownReviews.flatMap((r) => r.sourceIds.map((sourceId) => ({ reviewId: r.id, sourceId }))),
    );

    insert(
      t.recommendations,
      ownRecommendations.map((r) => ({
        id: r.id,
        reviewId: r.reviewId,
        paragraph: r.paragraph,
        paragraphSortKey: paragraphSortKey(r.paragraph),
        text: r.text,
        verbatim: r.verbatim,
        position: r.position,
        positionSource: r.positionSource,
        sourceId: r.sourceId,
        ...stamps,
      })),
    );
    insert(
      t.recommendationStates,
      ownRecommendations.flatMap((r) => r.recommendingStates.map((stateCode) => ({ recommendationId: r.id, stateCode }))),
    );
    // The seed's labels were chosen by us, not read from a source: curated.
    insert(
      t.recommendationThemes,
      ownRecommendations.flatMap((r) => r.themes.map((label) => ({ recommendationId: r.id, themeId: themeId(label), labelSource: 'curated' as const }))),
    );
    insert(
      t.recommendationSdgs,
      ownRecommendations.flatMap((r) => r.sdgs.map((goal) => ({ recommendationId: r.id, goal, labelSource: 'curated' as const }))),
    );
    insert(
      t.recommendationAffectedPersons,
      ownRecommendations.flatMap((r) =>
        r.affectedPersons.map((label) => ({ recommendationId: r.id, groupId: slugify(label), labelSource: 'curated' as const })),
      ),
    );

    insert(
      t.developments,
      ownDevelopments.map((d) => {
        const period = periodOf(d.date, d.datePrecision);
        return {
          id: d.id,
          stateCode: d.stateCode,
          reviewId: d.reviewId,
          title: d.title,
          summary: d.summary,
          date: d.date,
          datePrecision: d.datePrecision,
          periodStart: period.start,
          periodEnd: period.end,
          direction: d.direction,
          ...stamps,
        };
      }),
    );
    insert(
      t.developmentThemes,
      ownDevelopments.flatMap((d) => d.themes.map((label) => ({ developmentId: d.id, themeId: themeId(label) }))),
    );
    insert(
      t.developmentRecommendations,
      ownDevelopments.flatMap((d) => d.recommendationIds.filter(present).map((recommendationId) => ({ developmentId: d.id, recommendationId }))),
    );
    insert(
      t.developmentSources,
      ownDevelopments.flatMap((d) => d.sourceIds.map((sourceId) => ({ developmentId: d.id, sourceId }))),
    );

    insert(t.assessments, ownAssessments.map((a) => ({ ...a, ...stamps })));
    insert(
      t.statements,
      ownStatements.map(({ themes: _, ...s }) => ({ ...s, ...stamps })),
    );
    insert(
      t.statementThemes,
      ownStatements.flatMap((s) => s.themes.map((label) => ({ statementId: s.id, themeId: themeId(label) }))),
    );

    // Like every created recommendation, the seed's get machine labels for the scheme none of their sources
    // codes (UPR Info's issues): their own labels, curated, stay as they are.
    const tagger = machineTagger();
    if (tagger !== null && created.recommendations.length > 0) tagRecommendations(db, tagger, { ids: created.recommendations });

    const entries: AuditEntry[] = seedAuditEntries(tx, created);
    for (const entry of entries) audit(entry);
    const updated = inserted > 0 ? auditSeedUpdates(context, stored) : 0;
    // Links or labels that no record's snapshot shows (a theme of the vocabulary) still change what the API shows.
    if (inserted > 0 && entries.length === 0 && updated === 0) bumpRevision(tx);
  });
  return { inserted };
}
