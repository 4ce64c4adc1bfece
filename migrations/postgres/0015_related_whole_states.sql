-- SQLite's 0024_related_whole_states: until 2026-12-04 a write that changed 10 records of a state or fewer
-- rescored only their pairs, and until 2026-12-05 a change of the states' spellings left the texts it strips
-- differently related as before, so a database written by those releases holds relations that depend on the
-- order of its writes and imports. Every recommendation's relations are listed stale: the next start
-- recomputes them a state at a time and rebuilds the documents whose recurrence changed (src/db/pg/freshen.ts).
INSERT INTO "recommendation_relations_stale" ("recommendation_id") SELECT "id" FROM "recommendations" ON CONFLICT DO NOTHING;
