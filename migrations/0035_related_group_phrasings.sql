-- Until 2026-12-06 (session 43) the groups of 0034 were read in their usual wordings only: "gender violence",
-- "violence and discrimination against women", "women victims of violence", "protect children from violence" were
-- words, and so were "mandate holders", "thematic procedures" and "an open invitation to the special rapporteurs":
-- relations stored by those releases score pairs that a new database with the same data does not. Every
-- recommendation's relations are recomputed, a state at a time, when the database is next opened (as after 0034),
-- and the documents whose recurrence changes are rebuilt.
INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
