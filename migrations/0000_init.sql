CREATE TABLE `affected_persons_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`uhri` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `affected_persons_groups_label_unique` ON `affected_persons_groups` (`label`);--> statement-breakpoint
CREATE TABLE `assessments` (
	`id` text PRIMARY KEY NOT NULL,
	`recommendation_id` text NOT NULL,
	`status` text NOT NULL,
	`assessed_on` text NOT NULL,
	`rationale` text NOT NULL,
	`source_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assessments_rec_date_idx` ON `assessments` (`recommendation_id`,`assessed_on`,`id`);--> statement-breakpoint
CREATE TABLE `development_recommendations` (
	`development_id` text NOT NULL,
	`recommendation_id` text NOT NULL,
	PRIMARY KEY(`development_id`, `recommendation_id`),
	FOREIGN KEY (`development_id`) REFERENCES `developments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `development_recommendations_rec_idx` ON `development_recommendations` (`recommendation_id`,`development_id`);--> statement-breakpoint
CREATE TABLE `development_sources` (
	`development_id` text NOT NULL,
	`source_id` text NOT NULL,
	PRIMARY KEY(`development_id`, `source_id`),
	FOREIGN KEY (`development_id`) REFERENCES `developments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `development_themes` (
	`development_id` text NOT NULL,
	`theme_id` text NOT NULL,
	PRIMARY KEY(`development_id`, `theme_id`),
	FOREIGN KEY (`development_id`) REFERENCES `developments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`theme_id`) REFERENCES `themes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `development_themes_theme_idx` ON `development_themes` (`theme_id`,`development_id`);--> statement-breakpoint
CREATE TABLE `developments` (
	`id` text PRIMARY KEY NOT NULL,
	`state_code` text NOT NULL,
	`review_id` text,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`date` text NOT NULL,
	`date_precision` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`direction` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`state_code`) REFERENCES `states`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `developments_state_date_idx` ON `developments` (`state_code`,`period_start`);--> statement-breakpoint
CREATE INDEX `developments_review_idx` ON `developments` (`review_id`);--> statement-breakpoint
CREATE INDEX `developments_date_idx` ON `developments` (`period_start`,`id`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `recommendation_affected_persons` (
	`recommendation_id` text NOT NULL,
	`group_id` text NOT NULL,
	PRIMARY KEY(`recommendation_id`, `group_id`),
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`group_id`) REFERENCES `affected_persons_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recommendation_affected_persons_group_idx` ON `recommendation_affected_persons` (`group_id`,`recommendation_id`);--> statement-breakpoint
CREATE TABLE `recommendation_sdgs` (
	`recommendation_id` text NOT NULL,
	`goal` integer NOT NULL,
	PRIMARY KEY(`recommendation_id`, `goal`),
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`goal`) REFERENCES `sdg_goals`(`goal`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recommendation_sdgs_goal_idx` ON `recommendation_sdgs` (`goal`,`recommendation_id`);--> statement-breakpoint
CREATE TABLE `recommendation_states` (
	`recommendation_id` text NOT NULL,
	`state_code` text NOT NULL,
	PRIMARY KEY(`recommendation_id`, `state_code`),
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`state_code`) REFERENCES `states`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recommendation_states_state_idx` ON `recommendation_states` (`state_code`,`recommendation_id`);--> statement-breakpoint
CREATE TABLE `recommendation_themes` (
	`recommendation_id` text NOT NULL,
	`theme_id` text NOT NULL,
	PRIMARY KEY(`recommendation_id`, `theme_id`),
	FOREIGN KEY (`recommendation_id`) REFERENCES `recommendations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`theme_id`) REFERENCES `themes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recommendation_themes_theme_idx` ON `recommendation_themes` (`theme_id`,`recommendation_id`);--> statement-breakpoint
CREATE TABLE `recommendations` (
	`id` text PRIMARY KEY NOT NULL,
	`review_id` text NOT NULL,
	`paragraph` text,
	`paragraph_sort_key` text NOT NULL,
	`text` text NOT NULL,
	`verbatim` integer NOT NULL,
	`position` text,
	`position_source` text,
	`source_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recommendations_review_order_idx` ON `recommendations` (`review_id`,`paragraph_sort_key`,`id`);--> statement-breakpoint
CREATE INDEX `recommendations_position_idx` ON `recommendations` (`position`);--> statement-breakpoint
CREATE INDEX `recommendations_updated_idx` ON `recommendations` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `review_sources` (
	`review_id` text NOT NULL,
	`source_id` text NOT NULL,
	PRIMARY KEY(`review_id`, `source_id`),
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`state_code` text NOT NULL,
	`cycle` integer NOT NULL,
	`wg_session` integer,
	`dialogue_date` text,
	`report_symbol` text,
	`adoption_session` integer,
	`adoption_date` text,
	`adoption_date_precision` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`state_code`) REFERENCES `states`(`code`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "reviews_cycle_range" CHECK("reviews"."cycle" between 1 and 4)
);
--> statement-breakpoint
CREATE INDEX `reviews_state_idx` ON `reviews` (`state_code`,`cycle`);--> statement-breakpoint
CREATE TABLE `sdg_goals` (
	`goal` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	CONSTRAINT "sdg_goals_range" CHECK("sdg_goals"."goal" between 1 and 17)
);
--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`publisher` text NOT NULL,
	`url` text NOT NULL,
	`published_on` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_url_unique` ON `sources` (`url`);--> statement-breakpoint
CREATE TABLE `state_aliases` (
	`key` text PRIMARY KEY NOT NULL,
	`alias` text NOT NULL,
	`state_code` text NOT NULL,
	FOREIGN KEY (`state_code`) REFERENCES `states`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `state_aliases_state_idx` ON `state_aliases` (`state_code`);--> statement-breakpoint
CREATE TABLE `statement_themes` (
	`statement_id` text NOT NULL,
	`theme_id` text NOT NULL,
	PRIMARY KEY(`statement_id`, `theme_id`),
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`theme_id`) REFERENCES `themes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `statements` (
	`id` text PRIMARY KEY NOT NULL,
	`review_id` text NOT NULL,
	`speaker_state_code` text,
	`speaker_organization` text,
	`stage` text NOT NULL,
	`date` text NOT NULL,
	`date_precision` text NOT NULL,
	`summary` text NOT NULL,
	`source_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`speaker_state_code`) REFERENCES `states`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "statements_one_speaker" CHECK(("statements"."speaker_state_code" is null) <> ("statements"."speaker_organization" is null))
);
--> statement-breakpoint
CREATE INDEX `statements_review_idx` ON `statements` (`review_id`,`date`);--> statement-breakpoint
CREATE TABLE `states` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`regional_group` text,
	`un_member` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `themes` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`uhri` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `themes_label_unique` ON `themes` (`label`);