-- Until 2026-12-06 (157e976, 6e351b4) "violence against women" and "violence against children" were words that
-- met on "violence" ("a strategy to prevent violence against women" / "… against children" scored 0.63), and a
-- standing invitation was the special procedures' own term ("issue a standing invitation to the special procedures"
-- / "cooperate with them", 0.58): relations stored by those releases score pairs that a new database with the same
-- data does not. Every recommendation's relations are recomputed, a state at a time, when the database is next
-- opened (as after 0032 and 0033), and the documents whose recurrence changes are rebuilt.
INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
