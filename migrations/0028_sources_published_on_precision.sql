-- A source's publication date to its precision ("2020", "2020-03" or "2020-03-15"), as reviews' adoption date.
-- Every date stored before was written as a day. The checks of migration 0005 are rewritten to the pair.
ALTER TABLE `sources` ADD `published_on_precision` text;--> statement-breakpoint
UPDATE `sources` SET `published_on_precision` = 'day' WHERE `published_on` IS NOT NULL;--> statement-breakpoint
DROP TRIGGER IF EXISTS `sources_check_insert`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `sources_check_update`;--> statement-breakpoint
CREATE TRIGGER `sources_check_insert` BEFORE INSERT ON `sources` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200 and new.`id` not glob '*[^A-Za-z0-9._~-]*' and substr(new.`id`, 1, 1) glob '[A-Za-z0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: sources_id_shape')
    WHEN NOT (lower(substr(new.`url`, 1, 7)) = 'http://' or lower(substr(new.`url`, 1, 8)) = 'https://') THEN RAISE(ABORT, 'CHECK constraint failed: sources_url_http')
    WHEN NOT (length(new.`url`) between 1 and 2000) THEN RAISE(ABORT, 'CHECK constraint failed: sources_url_length')
    WHEN NOT (length(new.`title`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: sources_title_length')
    WHEN NOT (length(new.`publisher`) between 1 and 300) THEN RAISE(ABORT, 'CHECK constraint failed: sources_publisher_length')
    WHEN NOT ((new.`published_on` is null) = (new.`published_on_precision` is null)) THEN RAISE(ABORT, 'CHECK constraint failed: sources_published_on_precision')
    WHEN NOT (new.`published_on` is null or (new.`published_on_precision` = 'day' and new.`published_on` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]') or (new.`published_on_precision` = 'month' and new.`published_on` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]') or (new.`published_on_precision` = 'year' and new.`published_on` glob '[0-9][0-9][0-9][0-9]')) THEN RAISE(ABORT, 'CHECK constraint failed: sources_published_on_to_precision')
  END;
END;--> statement-breakpoint
CREATE TRIGGER `sources_check_update` BEFORE UPDATE ON `sources` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200 and new.`id` not glob '*[^A-Za-z0-9._~-]*' and substr(new.`id`, 1, 1) glob '[A-Za-z0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: sources_id_shape')
    WHEN NOT (lower(substr(new.`url`, 1, 7)) = 'http://' or lower(substr(new.`url`, 1, 8)) = 'https://') THEN RAISE(ABORT, 'CHECK constraint failed: sources_url_http')
    WHEN NOT (length(new.`url`) between 1 and 2000) THEN RAISE(ABORT, 'CHECK constraint failed: sources_url_length')
    WHEN NOT (length(new.`title`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: sources_title_length')
    WHEN NOT (length(new.`publisher`) between 1 and 300) THEN RAISE(ABORT, 'CHECK constraint failed: sources_publisher_length')
    WHEN NOT ((new.`published_on` is null) = (new.`published_on_precision` is null)) THEN RAISE(ABORT, 'CHECK constraint failed: sources_published_on_precision')
    WHEN NOT (new.`published_on` is null or (new.`published_on_precision` = 'day' and new.`published_on` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]') or (new.`published_on_precision` = 'month' and new.`published_on` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]') or (new.`published_on_precision` = 'year' and new.`published_on` glob '[0-9][0-9][0-9][0-9]')) THEN RAISE(ABORT, 'CHECK constraint failed: sources_published_on_to_precision')
  END;
END;--> statement-breakpoint
-- The stored recommendation documents show their sources' dates: rebuilt on the next open (freshenDocuments).
INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
