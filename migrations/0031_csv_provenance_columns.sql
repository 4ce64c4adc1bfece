-- The recommendations CSV gains sdgSources, affectedPersonSources and each source's reading (src/recommendations/csv.ts):
-- every stored CSV row is rebuilt on the next open (freshenDocuments). Re-runnable.
INSERT OR IGNORE INTO `recommendation_documents_stale` (`recommendation_id`) SELECT `id` FROM `recommendations`;
