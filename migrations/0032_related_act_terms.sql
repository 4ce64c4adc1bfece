-- Until 2026-12-06 (a5f92b8) a treaty named to be ratified and the same treaty named for another act (implement
-- it, bring the law in line with it) were one term, a moratorium on the death penalty was its abolition, and
-- "the ICCPR-OP2" was read as the covenant itself: relations stored by those releases score pairs that a new
-- database with the same data does not. Every recommendation's relations are recomputed, a state at a time,
-- when the database is next opened (as after 0024), and the documents whose recurrence changes are rebuilt.
INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
