ALTER TABLE `reviews` ADD `recommendations_complete` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `reviews` ADD `recommendations_note` text;--> statement-breakpoint
ALTER TABLE `states` ADD `regional_group_note` text;--> statement-breakpoint
-- Existing databases get what the seed now says (issue 10 §4), unless a curator already changed it.
UPDATE `states` SET `regional_group` = 'WEOG', `regional_group_note` = 'Not a member of any UN regional group: the United States sits with WEOG as an observer (and counts as WEOG for electoral purposes). UPR Info and OHCHR count it in WEOG for UPR statistics, and so does this API.'
  WHERE `code` = 'USA' AND `regional_group` IS NULL;--> statement-breakpoint
UPDATE `developments` SET `review_id` = NULL
  WHERE `id` = 'kgz-2016-hrc-askarov-decision' AND `review_id` = 'KGZ-3';--> statement-breakpoint
UPDATE `reviews` SET `recommendations_note` = 'A selection of the report''s recommendations, those its follow-up sources discuss; the report''s full list is not yet imported, and no source we hold gives its total.'
  WHERE `id` = 'KGZ-3' AND `recommendations_note` IS NULL;
--> statement-breakpoint
-- The CSV rows gained the actionCategory column: every stored document is rebuilt when the database is next opened.
INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
