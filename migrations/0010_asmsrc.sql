CREATE INDEX `assessments_date_idx` ON `assessments` (`assessed_on`,`id`);--> statement-breakpoint
CREATE INDEX `assessments_source_idx` ON `assessments` (`source_id`);--> statement-breakpoint
CREATE INDEX `development_sources_source_idx` ON `development_sources` (`source_id`);--> statement-breakpoint
CREATE INDEX `review_sources_source_idx` ON `review_sources` (`source_id`);--> statement-breakpoint
CREATE INDEX `statements_source_idx` ON `statements` (`source_id`);