CREATE TABLE "recommendation_csv_lines" (
	"recommendation_id" text PRIMARY KEY NOT NULL,
	"csv_head" text NOT NULL,
	"csv_path" text NOT NULL,
	"csv_tail" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "recommendation_csv_lines" ADD CONSTRAINT "recommendation_csv_lines_recommendation_id_recommendations_id_fk" FOREIGN KEY ("recommendation_id") REFERENCES "public"."recommendations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The stored CSV rows move to their own table (as on SQLite, migrations/0014_csv_lines.sql).
INSERT INTO "recommendation_csv_lines" ("recommendation_id", "csv_head", "csv_path", "csv_tail")
  SELECT "recommendation_id", "csv_head", "csv_path", "csv_tail" FROM "recommendation_documents";--> statement-breakpoint
ALTER TABLE "recommendation_documents" DROP COLUMN "csv_head";--> statement-breakpoint
ALTER TABLE "recommendation_documents" DROP COLUMN "csv_path";--> statement-breakpoint
ALTER TABLE "recommendation_documents" DROP COLUMN "csv_tail";