-- Until 2026-12-06 (157e976) "violence against women" and "violence against children" were words that met on
-- "violence" ("a strategy to prevent violence against women" / "… against children" scored 0.63): relations
-- stored by those releases score pairs that a new database with the same data does not. Every recommendation's
-- relations are recomputed, a state at a time, when the database is next opened (as after 0032 and 0033), and
-- the documents whose recurrence changes are rebuilt.
INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
