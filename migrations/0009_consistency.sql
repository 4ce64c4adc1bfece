-- API naming consistency (README, "Naming conventions"): recommendation documents now embed every source
-- that gives a recommendation, labels with their scheme and provenance, and SDGs with their titles.
-- The seed's labels were chosen by us: curated (0006 added label_source; rows seeded before it have none).
UPDATE `recommendation_themes` SET `label_source` = 'curated' WHERE `label_source` IS NULL AND `recommendation_id` IN
  ('KGZ-3-FIN-1', 'KGZ-3-ESP-1', 'KGZ-3-GBR-1', 'KGZ-3-GBR-2', 'KGZ-3-GBR-3', 'KGZ-3-USA-1', 'KGZ-3-USA-2', 'KGZ-3-USA-3');
--> statement-breakpoint
UPDATE `recommendation_sdgs` SET `label_source` = 'curated' WHERE `label_source` IS NULL AND `recommendation_id` IN
  ('KGZ-3-FIN-1', 'KGZ-3-ESP-1', 'KGZ-3-GBR-1', 'KGZ-3-GBR-2', 'KGZ-3-GBR-3', 'KGZ-3-USA-1', 'KGZ-3-USA-2', 'KGZ-3-USA-3');
--> statement-breakpoint
UPDATE `recommendation_affected_persons` SET `label_source` = 'curated' WHERE `label_source` IS NULL AND `recommendation_id` IN
  ('KGZ-3-FIN-1', 'KGZ-3-ESP-1', 'KGZ-3-GBR-1', 'KGZ-3-GBR-2', 'KGZ-3-GBR-3', 'KGZ-3-USA-1', 'KGZ-3-USA-2', 'KGZ-3-USA-3');
--> statement-breakpoint
-- Staleness triggers (see 0007) for what the documents now embed: the other sources of a recommendation
-- (recommendation_sources), a theme's scheme, a group's uhri flag, an SDG's title.
CREATE TRIGGER `recommendation_sources_stale_insert` AFTER INSERT ON `recommendation_sources` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sources_stale_delete` AFTER DELETE ON `recommendation_sources` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sources_stale_update` AFTER UPDATE OF `recommendation_id`, `source_id` ON `recommendation_sources` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`), (new.`recommendation_id`);
END;
--> statement-breakpoint
DROP TRIGGER `sources_stale_update`;
--> statement-breakpoint
CREATE TRIGGER `sources_stale_update` AFTER UPDATE ON `sources` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations` WHERE `source_id` IN (old.`id`, new.`id`);
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `recommendation_id` FROM `recommendation_sources` WHERE `source_id` IN (old.`id`, new.`id`);
END;
--> statement-breakpoint
DROP TRIGGER `themes_stale_update`;
--> statement-breakpoint
CREATE TRIGGER `themes_stale_update` AFTER UPDATE OF `id`, `label`, `scheme` ON `themes` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `recommendation_id` FROM `recommendation_themes` WHERE `theme_id` IN (old.`id`, new.`id`);
END;
--> statement-breakpoint
DROP TRIGGER `affected_persons_groups_stale_update`;
--> statement-breakpoint
CREATE TRIGGER `affected_persons_groups_stale_update` AFTER UPDATE OF `id`, `label`, `uhri` ON `affected_persons_groups` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `recommendation_id` FROM `recommendation_affected_persons` WHERE `group_id` IN (old.`id`, new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `sdg_goals_stale_update` AFTER UPDATE OF `goal`, `name` ON `sdg_goals` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `recommendation_id` FROM `recommendation_sdgs` WHERE `goal` IN (old.`goal`, new.`goal`);
END;
--> statement-breakpoint
-- Existing databases: every document is rebuilt in the new shape when the database is next opened, and the
-- revision moves on (a database with data), so that no cached answer or ETag of the old shape is served or confirmed (304) again.
INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
--> statement-breakpoint
UPDATE `meta` SET `value` = CAST(`value` AS INTEGER) + 1 WHERE `key` = 'revision' AND EXISTS (SELECT 1 FROM `recommendations`);
