-- Related recommendations compare texts without the recommending states printed in parentheses at their
-- end ("… (France);", src/related/state-names.ts), which the relations stored before were computed with:
-- every recommendation's relations are recomputed when the database is next opened (as after 0011), and
-- the documents whose recurrence changes are rebuilt.
INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
