-- Full-text indexes (FTS5) over recommendation texts and development titles and summaries. Standalone tables
-- keyed by the record id, not external-content tables on rowid: VACUUM may renumber a text-keyed table's rowids.
CREATE VIRTUAL TABLE `recommendations_fts` USING fts5(
  `recommendation_id` UNINDEXED,
  `text`,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `recommendations_fts_insert` AFTER INSERT ON `recommendations` BEGIN
  INSERT INTO `recommendations_fts` (`recommendation_id`, `text`) VALUES (new.`id`, new.`text`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_fts_delete` AFTER DELETE ON `recommendations` BEGIN
  DELETE FROM `recommendations_fts` WHERE `recommendation_id` = old.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_fts_update` AFTER UPDATE OF `id`, `text` ON `recommendations` BEGIN
  DELETE FROM `recommendations_fts` WHERE `recommendation_id` = old.`id`;
  INSERT INTO `recommendations_fts` (`recommendation_id`, `text`) VALUES (new.`id`, new.`text`);
END;
--> statement-breakpoint
CREATE VIRTUAL TABLE `developments_fts` USING fts5(
  `development_id` UNINDEXED,
  `title`,
  `summary`,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `developments_fts_insert` AFTER INSERT ON `developments` BEGIN
  INSERT INTO `developments_fts` (`development_id`, `title`, `summary`) VALUES (new.`id`, new.`title`, new.`summary`);
END;
--> statement-breakpoint
CREATE TRIGGER `developments_fts_delete` AFTER DELETE ON `developments` BEGIN
  DELETE FROM `developments_fts` WHERE `development_id` = old.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `developments_fts_update` AFTER UPDATE OF `id`, `title`, `summary` ON `developments` BEGIN
  DELETE FROM `developments_fts` WHERE `development_id` = old.`id`;
  INSERT INTO `developments_fts` (`development_id`, `title`, `summary`) VALUES (new.`id`, new.`title`, new.`summary`);
END;
