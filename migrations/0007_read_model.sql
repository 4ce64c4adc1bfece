CREATE TABLE `recommendation_documents` (
	`recommendation_id` text PRIMARY KEY NOT NULL,
	`json` text NOT NULL,
	`csv_head` text NOT NULL,
	`csv_path` text NOT NULL,
	`csv_tail` text NOT NULL,
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `recommendation_documents_stale` (
	`recommendation_id` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE INDEX `recommendations_review_position_idx` ON `recommendations` (`review_id`,`position`,`paragraph_sort_key`,`id`);--> statement-breakpoint
CREATE INDEX `recommendations_source_idx` ON `recommendations` (`source_id`);--> statement-breakpoint
-- Triggers: every change to something a recommendation's document embeds marks that recommendation stale;
-- materializeStale (src/recommendations/documents.ts) rebuilds the stale documents before the commit.
CREATE TRIGGER `recommendations_stale_insert` AFTER INSERT ON `recommendations` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_stale_update` AFTER UPDATE ON `recommendations` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_states_stale_insert` AFTER INSERT ON `recommendation_states` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_states_stale_delete` AFTER DELETE ON `recommendation_states` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_states_stale_update` AFTER UPDATE ON `recommendation_states` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`), (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_unresolved_states_stale_insert` AFTER INSERT ON `recommendation_unresolved_states` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_unresolved_states_stale_delete` AFTER DELETE ON `recommendation_unresolved_states` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_unresolved_states_stale_update` AFTER UPDATE ON `recommendation_unresolved_states` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`), (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_themes_stale_insert` AFTER INSERT ON `recommendation_themes` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_themes_stale_delete` AFTER DELETE ON `recommendation_themes` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_themes_stale_update` AFTER UPDATE ON `recommendation_themes` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`), (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sdgs_stale_insert` AFTER INSERT ON `recommendation_sdgs` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sdgs_stale_delete` AFTER DELETE ON `recommendation_sdgs` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sdgs_stale_update` AFTER UPDATE ON `recommendation_sdgs` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`), (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_affected_persons_stale_insert` AFTER INSERT ON `recommendation_affected_persons` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_affected_persons_stale_delete` AFTER DELETE ON `recommendation_affected_persons` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_affected_persons_stale_update` AFTER UPDATE ON `recommendation_affected_persons` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`), (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_stale_insert` AFTER INSERT ON `assessments` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_stale_delete` AFTER DELETE ON `assessments` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_stale_update` AFTER UPDATE ON `assessments` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`), (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `development_recommendations_stale_insert` AFTER INSERT ON `development_recommendations` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `development_recommendations_stale_delete` AFTER DELETE ON `development_recommendations` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `development_recommendations_stale_update` AFTER UPDATE ON `development_recommendations` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`), (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `reviews_stale_update` AFTER UPDATE OF `id`, `state_code`, `cycle`, `wg_session` ON `reviews` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations` WHERE `review_id` IN (old.`id`, new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `states_stale_update` AFTER UPDATE OF `code`, `name` ON `states` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT r.`id` FROM `reviews` v JOIN `recommendations` r ON r.`review_id` = v.`id` WHERE v.`state_code` IN (old.`code`, new.`code`);
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `recommendation_id` FROM `recommendation_states` WHERE `state_code` IN (old.`code`, new.`code`);
END;
--> statement-breakpoint
CREATE TRIGGER `sources_stale_update` AFTER UPDATE ON `sources` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations` WHERE `source_id` IN (old.`id`, new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `themes_stale_update` AFTER UPDATE OF `id`, `label` ON `themes` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `recommendation_id` FROM `recommendation_themes` WHERE `theme_id` IN (old.`id`, new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `affected_persons_groups_stale_update` AFTER UPDATE OF `id`, `label` ON `affected_persons_groups` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `recommendation_id` FROM `recommendation_affected_persons` WHERE `group_id` IN (old.`id`, new.`id`);
END;
--> statement-breakpoint
-- Existing databases: every recommendation's document is built when the database is next opened.
INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
