DROP INDEX `recommendation_sources_key_idx`;--> statement-breakpoint
CREATE INDEX `recommendation_sources_source_idx` ON `recommendation_sources` (`source_id`,`recommendation_id`);