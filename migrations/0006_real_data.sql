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
ALTER TABLE `recommendations` ADD `action_category` integer;--> statement-breakpoint
-- What no write may store in the new columns and table, checked by triggers as in 0005_import_checks (a CHECK
-- constraint would need the tables rebuilt).
CREATE TRIGGER `recommendations_action_category_check_insert` BEFORE INSERT ON `recommendations` BEGIN
  SELECT CASE
    WHEN NOT (new.`action_category` is null or new.`action_category` in (1, 2, 3, 4, 5)) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_action_category_value')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_action_category_check_update` BEFORE UPDATE OF `action_category` ON `recommendations` BEGIN
  SELECT CASE
    WHEN NOT (new.`action_category` is null or new.`action_category` in (1, 2, 3, 4, 5)) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_action_category_value')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `themes_scheme_check_insert` BEFORE INSERT ON `themes` BEGIN
  SELECT CASE
    WHEN NOT (new.`scheme` in ('uhri', 'upr-info', 'local')) THEN RAISE(ABORT, 'CHECK constraint failed: themes_scheme_value')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `themes_scheme_check_update` BEFORE UPDATE OF `scheme` ON `themes` BEGIN
  SELECT CASE
    WHEN NOT (new.`scheme` in ('uhri', 'upr-info', 'local')) THEN RAISE(ABORT, 'CHECK constraint failed: themes_scheme_value')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_themes_label_source_check_insert` BEFORE INSERT ON `recommendation_themes` BEGIN
  SELECT CASE
    WHEN NOT (new.`label_source` is null or new.`label_source` in ('ohchr', 'upr-info', 'curated', 'machine')) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_themes_label_source_value')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sdgs_label_source_check_insert` BEFORE INSERT ON `recommendation_sdgs` BEGIN
  SELECT CASE
    WHEN NOT (new.`label_source` is null or new.`label_source` in ('ohchr', 'upr-info', 'curated', 'machine')) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_sdgs_label_source_value')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_affected_persons_label_source_check_insert` BEFORE INSERT ON `recommendation_affected_persons` BEGIN
  SELECT CASE
    WHEN NOT (new.`label_source` is null or new.`label_source` in ('ohchr', 'upr-info', 'curated', 'machine')) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_affected_persons_label_source_value')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sources_check_insert` BEFORE INSERT ON `recommendation_sources` BEGIN
  SELECT CASE
    WHEN NOT (new.`paragraph` is null or length(new.`paragraph`) between 1 and 50) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_sources_paragraph_length')
    WHEN NOT (new.`position` is null or new.`position` in ('supported', 'partially_supported', 'noted', 'pending')) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_sources_position_value')
    WHEN NOT (new.`position_label` is null or length(new.`position_label`) between 1 and 1000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_sources_position_label_length')
    WHEN NOT (new.`position_source` is null or length(new.`position_source`) between 1 and 1000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_sources_position_source_length')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sources_check_update` BEFORE UPDATE ON `recommendation_sources` BEGIN
  SELECT CASE
    WHEN NOT (new.`paragraph` is null or length(new.`paragraph`) between 1 and 50) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_sources_paragraph_length')
    WHEN NOT (new.`position` is null or new.`position` in ('supported', 'partially_supported', 'noted', 'pending')) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_sources_position_value')
    WHEN NOT (new.`position_label` is null or length(new.`position_label`) between 1 and 1000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_sources_position_label_length')
    WHEN NOT (new.`position_source` is null or length(new.`position_source`) between 1 and 1000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_sources_position_source_length')
  END;
END;
