-- Each source of a recommendation document now shows what that source printed (`sources[].reading`: its row
-- of recommendation_sources). A re-import that changes only a source's reading (the corpus's label, say, when
-- UPR Info's answer won the merge) leaves the recommendation's row as it was: a change to the reading's columns
-- now marks the document stale too (the match key is not shown; an import rewrites every reading it gives, so
-- only a changed one counts). No OR IGNORE: an import's upsert (INSERT … ON CONFLICT DO UPDATE) overrides a
-- trigger's conflict clause with its own abort, so the ids already listed are left out instead.
DROP TRIGGER `recommendation_sources_stale_update`;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sources_stale_update` AFTER UPDATE OF `recommendation_id`, `source_id`, `paragraph`, `position`, `position_label`, `position_source` ON `recommendation_sources`
WHEN old.`recommendation_id` IS NOT new.`recommendation_id` OR old.`source_id` IS NOT new.`source_id` OR old.`paragraph` IS NOT new.`paragraph`
  OR old.`position` IS NOT new.`position` OR old.`position_label` IS NOT new.`position_label` OR old.`position_source` IS NOT new.`position_source`
BEGIN
  INSERT INTO `recommendation_documents_stale` (`recommendation_id`)
    SELECT `id` FROM (SELECT old.`recommendation_id` AS `id` UNION SELECT new.`recommendation_id`)
    WHERE `id` NOT IN (SELECT `recommendation_id` FROM `recommendation_documents_stale`);
END;
--> statement-breakpoint
-- Existing databases: every document and CSV row is rebuilt in the new shape when the database is next opened
-- (freshenDocuments), and the revision moves on (a database with data), so that no cached answer or ETag of
-- the old shape is served or confirmed (304) again.
INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
--> statement-breakpoint
UPDATE `meta` SET `value` = CAST(`value` AS INTEGER) + 1 WHERE `key` = 'revision' AND EXISTS (SELECT 1 FROM `recommendations`);
