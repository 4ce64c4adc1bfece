import type { Db } from '../src/db/open.js';
import { bumpRevision } from '../src/db/revision.js';
import * as t from '../src/db/schema.js';
import { periodOf } from '../src/common/dates.js';
import { slugify } from '../src/common/slug.js';
import { materializeStale } from '../src/recommendations/documents.js';
import { refreshStaleRelations } from '../src/related/refresh.js';
import { paragraphSortKey } from '../src/recommendations/paragraph.js';
import { normalizeStateName } from '../src/states/names.js';
import * as kgz from './kyrgyzstan-upr3.js';
import { AFFECTED_PERSONS, SDG_GOALS, THEMES } from './labels.js';
import { STATES } from './states.js';

// Applies the reference data and the sourced facts. Idempotent: a record that already exists is left as
// it is (curators may have improved it since), so running it again only adds what is missing.

export interface SeedReport {
  inserted: number;
}

export function applySeed(db: Db, now = new Date().toISOString()): SeedReport {
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

  db.transaction(() => {
    insert(
      t.states,
      STATES.map(({ code, name, regionalGroup, unMember }) => ({ code, name, regionalGroup, unMember })),
    );
    insert(
      t.stateAliases,
      STATES.flatMap((s) =>
        [s.name, ...s.aliases].map((alias) => ({ key: normalizeStateName(alias), alias, stateCode: s.code })),
      ),
    );
    insert(t.themes, THEMES.map(({ label, uhri }) => ({ id: themeId(label), label, uhri, scheme: uhri ? ('uhri' as const) : ('local' as const) })));
    insert(t.affectedPersonsGroups, AFFECTED_PERSONS.map(({ label, uhri }) => ({ id: slugify(label), label, uhri })));
    insert(t.sdgGoals, [...SDG_GOALS]);
    insert(t.sources, [...kgz.SOURCES]);

    insert(
      t.reviews,
      kgz.REVIEWS.map(({ sourceIds: _, ...review }) => ({ ...review, ...stamps })),
    );
    insert(
      t.reviewSources,
      kgz.REVIEWS.flatMap((r) => r.sourceIds.map((sourceId) => ({ reviewId: r.id, sourceId }))),
    );

    insert(
      t.recommendations,
      kgz.RECOMMENDATIONS.map((r) => ({
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
      kgz.RECOMMENDATIONS.flatMap((r) => r.recommendingStates.map((stateCode) => ({ recommendationId: r.id, stateCode }))),
    );
    // The seed's labels were chosen by us, not read from a source: curated.
    insert(
      t.recommendationThemes,
      kgz.RECOMMENDATIONS.flatMap((r) => r.themes.map((label) => ({ recommendationId: r.id, themeId: themeId(label), labelSource: 'curated' as const }))),
    );
    insert(
      t.recommendationSdgs,
      kgz.RECOMMENDATIONS.flatMap((r) => r.sdgs.map((goal) => ({ recommendationId: r.id, goal, labelSource: 'curated' as const }))),
    );
    insert(
      t.recommendationAffectedPersons,
      kgz.RECOMMENDATIONS.flatMap((r) =>
        r.affectedPersons.map((label) => ({ recommendationId: r.id, groupId: slugify(label), labelSource: 'curated' as const })),
      ),
    );

    insert(
      t.developments,
      kgz.DEVELOPMENTS.map((d) => {
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
      kgz.DEVELOPMENTS.flatMap((d) => d.themes.map((label) => ({ developmentId: d.id, themeId: themeId(label) }))),
    );
    insert(
      t.developmentRecommendations,
      kgz.DEVELOPMENTS.flatMap((d) => d.recommendationIds.map((recommendationId) => ({ developmentId: d.id, recommendationId }))),
    );
    insert(
      t.developmentSources,
      kgz.DEVELOPMENTS.flatMap((d) => d.sourceIds.map((sourceId) => ({ developmentId: d.id, sourceId }))),
    );

    insert(t.assessments, kgz.ASSESSMENTS.map((a) => ({ ...a, ...stamps })));
    insert(
      t.statements,
      kgz.STATEMENTS.map(({ themes: _, ...s }) => ({ ...s, ...stamps })),
    );
    insert(
      t.statementThemes,
      kgz.STATEMENTS.flatMap((s) => s.themes.map((label) => ({ statementId: s.id, themeId: themeId(label) }))),
    );

    if (inserted > 0) bumpRevision(db);
    refreshStaleRelations(db);
    materializeStale(db);
  });
  return { inserted };
}
