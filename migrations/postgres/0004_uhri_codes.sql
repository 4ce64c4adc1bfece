ALTER TABLE "themes" ADD COLUMN "uhri_code" text;--> statement-breakpoint
CREATE UNIQUE INDEX "themes_uhri_code_unique" ON "themes" USING btree ("uhri_code") WHERE uhri_code is not null;--> statement-breakpoint
ALTER TABLE "themes" ADD CONSTRAINT "themes_uhri_code_format" CHECK (uhri_code is null or uhri_code ~ '^[A-Z][0-9]{1,3}$');