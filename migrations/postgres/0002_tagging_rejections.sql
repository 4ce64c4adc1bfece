CREATE TABLE "machine_label_rejections" (
	"recommendation_id" text NOT NULL,
	"theme_id" text NOT NULL,
	CONSTRAINT "machine_label_rejections_recommendation_id_theme_id_pk" PRIMARY KEY("recommendation_id","theme_id")
);
--> statement-breakpoint
ALTER TABLE "machine_label_rejections" ADD CONSTRAINT "machine_label_rejections_recommendation_id_recommendations_id_fk" FOREIGN KEY ("recommendation_id") REFERENCES "public"."recommendations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_label_rejections" ADD CONSTRAINT "machine_label_rejections_theme_id_themes_id_fk" FOREIGN KEY ("theme_id") REFERENCES "public"."themes"("id") ON DELETE cascade ON UPDATE no action;