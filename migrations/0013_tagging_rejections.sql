CREATE TABLE `machine_label_rejections` (
	`recommendation_id` text NOT NULL,
	`theme_id` text NOT NULL,
	PRIMARY KEY(`recommendation_id`, `theme_id`),
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`theme_id`) REFERENCES `themes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Existing databases: every stored CSV row gains the recurrence columns when the database is next opened.
INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
