-- Until 2026-12-06 (c2869fa) a treaty named after another act in a request to ratify ("Ratify OP-CAT and
-- implement the CAT") was taken as a treaty to ratify too: relations stored by those releases score pairs that
-- a new database with the same data does not. Every recommendation's relations are recomputed, a state at a
-- time, when the database is next opened (as after 0032), and the documents whose recurrence changes are rebuilt.
INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
