CREATE TABLE `recommendation_sources` (
	`recommendation_id` text NOT NULL,
	`source_id` text NOT NULL,
	`paragraph` text,
	`position` text,
	`position_label` text,
	`position_source` text,
	`match_key` text NOT NULL,
	PRIMARY KEY(`recommendation_id`, `source_id`),
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recommendation_sources_key_idx` ON `recommendation_sources` (`source_id`,`match_key`);--> statement-breakpoint
DROP INDEX `themes_label_unique`;--> statement-breakpoint
ALTER TABLE `themes` ADD `scheme` text DEFAULT 'local' NOT NULL;--> statement-breakpoint
UPDATE `themes` SET `scheme` = 'uhri' WHERE `uhri` = 1;--> statement-breakpoint
CREATE UNIQUE INDEX `themes_scheme_label_unique` ON `themes` (`scheme`,`label`);--> statement-breakpoint
ALTER TABLE `recommendation_affected_persons` ADD `label_source` text;--> statement-breakpoint
ALTER TABLE `recommendation_sdgs` ADD `label_source` text;--> statement-breakpoint
ALTER TABLE `recommendation_themes` ADD `label_source` text;--> statement-breakpoint
ALTER TABLE `recommendations` ADD `action_category` integer;