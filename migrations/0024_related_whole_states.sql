-- Until 2026-12-04 (73392f4) a state with 10 changed records or fewer had only the changed records' pairs
-- rescored, and until 2026-12-05 (2784cf0) a change of the states' spellings left the texts it strips
-- differently related as before: a database written by those releases holds relations that depend on the
-- order of its writes and imports, which a new database given the same data does not (a text PATCH, an
-- import into states already held). Every recommendation's relations are recomputed, a state at a time,
-- when the database is next opened (as after 0020), and the documents whose recurrence changes are rebuilt.
INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
