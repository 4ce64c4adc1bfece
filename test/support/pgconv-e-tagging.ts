import type { FastifyInstance } from 'fastify';
import { tagRecommendations } from '../../src/tagging/apply.js';
import type { Tagger } from '../../src/tagging/model.js';
import { postgresSide } from '../helpers.js';
import { macRoman } from '../import-helpers.js';

// UPR Info's CSV format (see ../shared/data/README.md), Mac Roman, CR line endings.
const HEADER = 'To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session';
// One state per session (a state's review of a cycle is in one session).
const STATES: Record<number, string> = { 8: 'Kyrgyzstan', 13: 'Finland', 14: 'Spain', 15: 'Kenya' };
export const uprInfoCsv = (rows: [text: string, issue: string, session: number][], response = 'Accepted') =>
  macRoman(`${HEADER}\r${rows.map(([text, issue, session]) => `${STATES[session]},Asia,OIC,"${text}",Norway,WEOG,,${response},5,"${issue}",${session}`).join('\r')}\r`);

/**
 * Brings the machine labels of `ids` up to date on a test app's database, as a write does: SQLite's
 * tagRecommendations (what an import and `npm run tag` run), PostgreSQL's pgTagRecommendation in a write
 * transaction (what a create or a new text runs there).
 */
export async function retag(app: FastifyInstance, tagger: Tagger, ids: string[]): Promise<void> {
  const side = postgresSide(app);
  if (side === undefined) {
    tagRecommendations(app.db, tagger, { ids });
    return;
  }
  await side.pending;
  // Imported here: SQLite runs need not load pg.
  const { pgWriteTransaction } = await import('../../src/db/pg/write-transaction.js');
  const { pgTagRecommendation } = await import('../../src/tagging/pg-apply.js');
  await pgWriteTransaction(side.pool, 'test', async (context) => {
    for (const id of ids) await pgTagRecommendation(context, tagger, id);
  });
}
