CREATE TABLE `recommendation_csv_lines` (
	`recommendation_id` text PRIMARY KEY NOT NULL,
	`csv_head` text NOT NULL,
	`csv_path` text NOT NULL,
	`csv_tail` text NOT NULL,
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- The stored CSV rows move to their own table, in the list's default order (review, paragraph), so that a
-- full export in that order reads the table front to back.
INSERT INTO `recommendation_csv_lines` (`recommendation_id`, `csv_head`, `csv_path`, `csv_tail`)
  SELECT d.`recommendation_id`, d.`csv_head`, d.`csv_path`, d.`csv_tail`
  FROM `recommendation_documents` d JOIN `recommendations` r ON r.`id` = d.`recommendation_id`
  ORDER BY r.`review_id`, r.`paragraph_sort_key`, r.`id`;
--> statement-breakpoint
-- The documents keep their JSON only: one copy of the table rather than a DROP COLUMN (a rewrite) per column.
CREATE TABLE `__new_recommendation_documents` (
	`recommendation_id` text PRIMARY KEY NOT NULL,
	`json` text NOT NULL,
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_recommendation_documents` (`recommendation_id`, `json`) SELECT `recommendation_id`, `json` FROM `recommendation_documents`;
--> statement-breakpoint
DROP TABLE `recommendation_documents`;
--> statement-breakpoint
ALTER TABLE `__new_recommendation_documents` RENAME TO `recommendation_documents`;
--> statement-breakpoint
-- A document without its CSV row (none after the copy above) is rebuilt when the database is next opened.
INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`)
  SELECT r.`id` FROM `recommendations` r WHERE NOT EXISTS (SELECT 1 FROM `recommendation_csv_lines` c WHERE c.`recommendation_id` = r.`id`);
