-- The fields of a recommendation a curator wrote last (SQLite: migrations/0029_curated_fields.sql). A database
-- from before has no row: every stored field counts as the files'. Re-runnable: tests re-apply migrations.
CREATE TABLE IF NOT EXISTS "recommendation_curated_fields" (
	"recommendation_id" text NOT NULL,
	"field" text NOT NULL,
	"files_value" text,
	CONSTRAINT "recommendation_curated_fields_recommendation_id_field_pk" PRIMARY KEY("recommendation_id","field"),
	CONSTRAINT "recommendation_curated_fields_field_value" CHECK ("field" in ('reviewId', 'paragraph', 'text', 'verbatim', 'recommendingStates', 'position', 'positionSource', 'sourceId', 'sdgs', 'affectedPersons'))
);
--> statement-breakpoint
ALTER TABLE "recommendation_curated_fields" DROP CONSTRAINT IF EXISTS "recommendation_curated_fields_recommendation_id_recommendations_id_fk";--> statement-breakpoint
ALTER TABLE "recommendation_curated_fields" ADD CONSTRAINT "recommendation_curated_fields_recommendation_id_recommendations_id_fk" FOREIGN KEY ("recommendation_id") REFERENCES "public"."recommendations"("id") ON DELETE cascade ON UPDATE no action;
