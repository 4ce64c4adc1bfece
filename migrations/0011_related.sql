CREATE TABLE `recommendation_relations` (
	`recommendation_id` text NOT NULL,
	`related_id` text NOT NULL,
	`score` real NOT NULL,
	`relation` text NOT NULL,
	`related_cycle` integer NOT NULL,
	PRIMARY KEY(`recommendation_id`, `related_id`),
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`related_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `recommendation_relations_related_idx` ON `recommendation_relations` (`related_id`);--> statement-breakpoint
CREATE TABLE `recommendation_relations_stale` (
	`recommendation_id` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
-- Triggers: a recommendation whose text, review or review's state or cycle changes has its relations rebuilt
-- (refreshStaleRelations, src/related/refresh.ts, in the writing transaction); a change of its relations
-- makes its stored document stale (the document shows its recurrence).
CREATE TRIGGER `recommendations_relations_stale_insert` AFTER INSERT ON `recommendations` BEGIN
  INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) VALUES (new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_relations_stale_update` AFTER UPDATE OF `text`, `review_id` ON `recommendations` BEGIN
  INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) VALUES (new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `reviews_relations_stale_update` AFTER UPDATE OF `state_code`, `cycle` ON `reviews` BEGIN
  INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) SELECT `id` FROM `recommendations` WHERE `review_id` = new.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_relations_stale_insert` AFTER INSERT ON `recommendation_relations` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_relations_stale_delete` AFTER DELETE ON `recommendation_relations` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_relations_stale_update` AFTER UPDATE ON `recommendation_relations` BEGIN
  INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) VALUES (old.`recommendation_id`), (new.`recommendation_id`);
END;
--> statement-breakpoint
-- Existing databases: every recommendation's relations are computed when the database is next opened.
INSERT OR IGNORE INTO `recommendation_relations_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
