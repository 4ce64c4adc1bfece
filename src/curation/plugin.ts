import type { FastifyPluginAsync } from 'fastify';
import { assessmentRoutes } from '../assessments/routes.js';
import { assessmentWriteRoutes } from '../assessments/write-routes.js';
import { changeRoutes } from '../changes/routes.js';
import type { ChangeStore } from '../changes/store.js';
import type { AssessmentStore } from '../assessments/store.js';
import type { WriteHandlers } from './http.js';
import type { RecommendationWrites } from '../recommendations/write-store.js';
import { developmentWriteRoutes } from '../developments/write-routes.js';
import type { DevelopmentWrites } from '../developments/write-store.js';
import { recommendationWriteRoutes } from '../recommendations/write-routes.js';
import { reviewWriteRoutes } from '../reviews/write-routes.js';
import { stateWriteRoutes } from '../states/write-routes.js';
import { statementWriteRoutes } from '../statements/write-routes.js';
import type { StatementWrites } from '../statements/write-store.js';
import { namePlugins } from '../http/plugin-name.js';
import { jsonBodyParser } from '../http/json-body.js';

// The curation API: the write routes of every resource (writes need an API key), the assessments' own
// URLs, and every record's history and the change feed (public).

export const curationRoutes: FastifyPluginAsync<{
  changes: ChangeStore;
  recommendationWrites: RecommendationWrites;
  developmentWrites: DevelopmentWrites;
  statementWrites: StatementWrites;
  assessments: AssessmentStore;
  assessmentWrites: WriteHandlers;
  reviewWrites: WriteHandlers;
  stateWrites: WriteHandlers;
}> = async (app, { changes, recommendationWrites, developmentWrites, statementWrites, assessments, assessmentWrites, reviewWrites, stateWrites }) => {
  // Bodies are JSON: PATCH bodies may also be sent as what they are, JSON merge patches (RFC 7396); anything
  // else, text/plain included, is 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'buffer' }, jsonBodyParser(app));

  await app.register(recommendationWriteRoutes, { writes: recommendationWrites });
  await app.register(developmentWriteRoutes, { writes: developmentWrites });
  await app.register(assessmentRoutes, { store: assessments });
  await app.register(assessmentWriteRoutes, { writes: assessmentWrites });
  await app.register(statementWriteRoutes, { writes: statementWrites });
  await app.register(reviewWriteRoutes, { writes: reviewWrites });
  await app.register(stateWriteRoutes, { writes: stateWrites });
  await app.register(changeRoutes, { store: changes });
};

namePlugins(curationRoutes);
