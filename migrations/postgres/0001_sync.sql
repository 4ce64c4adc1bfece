CREATE TABLE "recommendation_relations" (
	"recommendation_id" text NOT NULL,
	"related_id" text NOT NULL,
	"score" double precision NOT NULL,
	"relation" text NOT NULL,
	"related_cycle" integer NOT NULL,
	CONSTRAINT "recommendation_relations_recommendation_id_related_id_pk" PRIMARY KEY("recommendation_id","related_id")
);
--> statement-breakpoint
CREATE TABLE "recommendation_relations_stale" (
	"recommendation_id" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
ALTER TABLE "recommendation_themes" ADD COLUMN "confidence" double precision;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "recommendations_complete" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "recommendations_note" text;--> statement-breakpoint
ALTER TABLE "states" ADD COLUMN "regional_group_note" text;--> statement-breakpoint
ALTER TABLE "recommendation_relations" ADD CONSTRAINT "recommendation_relations_recommendation_id_recommendations_id_fk" FOREIGN KEY ("recommendation_id") REFERENCES "public"."recommendations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendation_relations" ADD CONSTRAINT "recommendation_relations_related_id_recommendations_id_fk" FOREIGN KEY ("related_id") REFERENCES "public"."recommendations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recommendation_relations_related_idx" ON "recommendation_relations" USING btree ("related_id");--> statement-breakpoint
CREATE INDEX "assessments_date_idx" ON "assessments" USING btree ("assessed_on","id");--> statement-breakpoint
CREATE INDEX "assessments_source_idx" ON "assessments" USING btree ("source_id");--> statement-breakpoint
CREATE INDEX "development_sources_source_idx" ON "development_sources" USING btree ("source_id");--> statement-breakpoint
CREATE INDEX "review_sources_source_idx" ON "review_sources" USING btree ("source_id");--> statement-breakpoint
CREATE INDEX "statements_source_idx" ON "statements" USING btree ("source_id");--> statement-breakpoint
ALTER TABLE "recommendation_themes" ADD CONSTRAINT "recommendation_themes_confidence" CHECK ("confidence" is null or ("label_source" = 'machine' and "confidence" between 0 and 1));