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
