-- An update that leaves a recommendation's text (and review) as they were, as an import merging a record
-- another source gave does (a new position, a new source), neither rewrites its full-text entry nor lists it
-- for a relations refresh: the relations of a whole state were recomputed for a changed position.
DROP TRIGGER `recommendations_fts_update`;
--> statement-breakpoint
CREATE TRIGGER `recommendations_fts_update` AFTER UPDATE OF `text` ON `recommendations`
  WHEN old.`text` IS NOT new.`text` BEGIN
  INSERT INTO `recommendations_fts` (`recommendations_fts`, `rowid`, `text`) VALUES ('delete', old.`fts_rowid`, old.`text`);
  INSERT INTO `recommendations_fts` (`rowid`, `text`) VALUES (new.`fts_rowid`, new.`text`);
END;
--> statement-breakpoint
DROP TRIGGER `recommendations_relations_stale_update`;
--> statement-breakpoint
CREATE TRIGGER `recommendations_relations_stale_update` AFTER UPDATE OF `text`, `review_id` ON `recommendations`
  WHEN old.`text` IS NOT new.`text` OR old.`review_id` IS NOT new.`review_id` BEGIN
  INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) VALUES (new.`id`);
END;
--> statement-breakpoint
-- A document embeds its recommendation's recurrence (src/related/recurrence.ts): only pairs of an earlier
-- cycle scoring at least RECURRENCE_THRESHOLD (0.5) count, so only a change to such a pair makes the document
-- stale; the other pairs a state's recomputation rewrites (nearly all of them) leave it as it is.
DROP TRIGGER `recommendation_relations_stale_insert`;
--> statement-breakpoint
CREATE TRIGGER `recommendation_relations_stale_insert` AFTER INSERT ON `recommendation_relations`
  WHEN new.`relation` = 'earlier' AND new.`score` >= 0.5 BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
DROP TRIGGER `recommendation_relations_stale_delete`;
--> statement-breakpoint
CREATE TRIGGER `recommendation_relations_stale_delete` AFTER DELETE ON `recommendation_relations`
  WHEN old.`relation` = 'earlier' AND old.`score` >= 0.5 BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
DROP TRIGGER `recommendation_relations_stale_update`;
--> statement-breakpoint
CREATE TRIGGER `recommendation_relations_stale_update` AFTER UPDATE ON `recommendation_relations`
  WHEN (old.`relation` = 'earlier' AND old.`score` >= 0.5) OR (new.`relation` = 'earlier' AND new.`score` >= 0.5) BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`)
    SELECT old.`recommendation_id` WHERE old.`relation` = 'earlier' AND old.`score` >= 0.5
    UNION SELECT new.`recommendation_id` WHERE new.`relation` = 'earlier' AND new.`score` >= 0.5;
END;
