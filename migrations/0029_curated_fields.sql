-- The fields of a recommendation a curator wrote last, with what the files last offered for each: an import
-- keeps a curator's value (src/recommendations/curated-fields.ts). A database from before has no row: every
-- stored field counts as the files' (nothing tells a curator's earlier write from an import's). Re-runnable.
CREATE TABLE IF NOT EXISTS `recommendation_curated_fields` (
	`recommendation_id` text NOT NULL,
	`field` text NOT NULL,
	`files_value` text,
	PRIMARY KEY(`recommendation_id`, `field`),
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "recommendation_curated_fields_field_value" CHECK(field in ('reviewId', 'paragraph', 'text', 'verbatim', 'recommendingStates', 'position', 'positionSource', 'sourceId', 'sdgs', 'affectedPersons'))
);
