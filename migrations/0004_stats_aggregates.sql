-- Recommendation stats kept on write (see src/db/schema.ts and src/stats/aggregates.ts). Triggers on every
-- table a count depends on mark the recommendations touched in stats_dirty (cheap, once per row written);
-- the revision bump that ends every write transaction (src/db/revision.ts) then moves, in one set-based
-- pass, their old contribution (stats_members) out of the counts and their new one in. Every write path,
-- imports included, is covered without code of its own. Readers fall back to counting the base tables
-- while stats_dirty is not empty (a write that did not bump the revision).
CREATE TABLE `stats_dirty` (
	`recommendation_id` text PRIMARY KEY NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `stats_members` (
	`recommendation_id` text NOT NULL,
	`dim` text NOT NULL,
	`value` blob NOT NULL,
	`review_id` text NOT NULL,
	`cycle` integer NOT NULL,
	`position` text NOT NULL,
	`implementation` text NOT NULL,
	PRIMARY KEY(`recommendation_id`, `dim`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `stats_review_counts` (
	`dim` text NOT NULL,
	`review_id` text NOT NULL,
	`value` blob NOT NULL,
	`position` text NOT NULL,
	`implementation` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`dim`, `review_id`, `value`, `position`, `implementation`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `stats_review_counts_empty_idx` ON `stats_review_counts` (`n`) WHERE n = 0;
--> statement-breakpoint
CREATE TABLE `stats_cycle_counts` (
	`dim` text NOT NULL,
	`cycle` integer NOT NULL,
	`value` blob NOT NULL,
	`position` text NOT NULL,
	`implementation` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`dim`, `cycle`, `value`, `position`, `implementation`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `stats_cycle_counts_empty_idx` ON `stats_cycle_counts` (`n`) WHERE n = 0;
--> statement-breakpoint
CREATE TABLE `stats_value_counts` (
	`dim` text NOT NULL,
	`value` blob NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`dim`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `stats_value_counts_empty_idx` ON `stats_value_counts` (`n`) WHERE n = 0;
--> statement-breakpoint
CREATE TRIGGER `recommendations_stats_insert` AFTER INSERT ON `recommendations` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_stats_delete` AFTER DELETE ON `recommendations` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (old.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_stats_update` AFTER UPDATE OF `id`, `review_id`, `position` ON `recommendations`
  WHEN old.`id` IS NOT new.`id` OR old.`review_id` IS NOT new.`review_id` OR old.`position` IS NOT new.`position` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`id`), (old.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_states_stats_insert` AFTER INSERT ON `recommendation_states` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_states_stats_delete` AFTER DELETE ON `recommendation_states` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_states_stats_update` AFTER UPDATE ON `recommendation_states` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`recommendation_id`), (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_themes_stats_insert` AFTER INSERT ON `recommendation_themes` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_themes_stats_delete` AFTER DELETE ON `recommendation_themes` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_themes_stats_update` AFTER UPDATE ON `recommendation_themes` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`recommendation_id`), (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sdgs_stats_insert` AFTER INSERT ON `recommendation_sdgs` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sdgs_stats_delete` AFTER DELETE ON `recommendation_sdgs` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_sdgs_stats_update` AFTER UPDATE ON `recommendation_sdgs` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`recommendation_id`), (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_stats_insert` AFTER INSERT ON `assessments` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_stats_delete` AFTER DELETE ON `assessments` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_stats_update` AFTER UPDATE OF `recommendation_id`, `status`, `assessed_on`, `created_at`, `id` ON `assessments`
  WHEN old.`recommendation_id` IS NOT new.`recommendation_id` OR old.`status` IS NOT new.`status` OR old.`assessed_on` IS NOT new.`assessed_on` OR old.`created_at` IS NOT new.`created_at` OR old.`id` IS NOT new.`id` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`) VALUES (new.`recommendation_id`), (old.`recommendation_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `states_stats_update` AFTER UPDATE OF `regional_group` ON `states`
  WHEN old.`regional_group` IS NOT new.`regional_group` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`)
    SELECT `recommendation_id` FROM `recommendation_states` WHERE `state_code` = new.`code`;
END;
--> statement-breakpoint
CREATE TRIGGER `reviews_stats_update` AFTER UPDATE OF `cycle` ON `reviews` WHEN old.`cycle` IS NOT new.`cycle` BEGIN
  INSERT OR IGNORE INTO `stats_dirty` (`recommendation_id`)
    SELECT `id` FROM `recommendations` WHERE `review_id` = new.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `stats_flush_on_revision_insert` AFTER INSERT ON `meta`
  WHEN new.`key` = 'revision' AND EXISTS (SELECT 1 FROM `stats_dirty`) BEGIN
  -- Out: the contributions counted so far.
  UPDATE `stats_review_counts` SET `n` = `n` - d.`gone` FROM (SELECT `dim`, `review_id`, `value`, `position`, `implementation`, count(*) AS `gone` FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `review_id`, `value`, `position`, `implementation`) d
  WHERE `stats_review_counts`.`dim` = d.`dim` AND `stats_review_counts`.`review_id` = d.`review_id` AND `stats_review_counts`.`value` = d.`value` AND `stats_review_counts`.`position` = d.`position` AND `stats_review_counts`.`implementation` = d.`implementation`;
  DELETE FROM `stats_review_counts` WHERE `n` = 0;
  UPDATE `stats_cycle_counts` SET `n` = `n` - d.`gone` FROM (SELECT `dim`, `cycle`, `value`, `position`, `implementation`, count(*) AS `gone` FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `cycle`, `value`, `position`, `implementation`) d
  WHERE `stats_cycle_counts`.`dim` = d.`dim` AND `stats_cycle_counts`.`cycle` = d.`cycle` AND `stats_cycle_counts`.`value` = d.`value` AND `stats_cycle_counts`.`position` = d.`position` AND `stats_cycle_counts`.`implementation` = d.`implementation`;
  DELETE FROM `stats_cycle_counts` WHERE `n` = 0;
  UPDATE `stats_value_counts` SET `n` = `n` - d.`gone` FROM (SELECT `dim`, `value`, count(*) AS `gone` FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `value`) d
  WHERE `stats_value_counts`.`dim` = d.`dim` AND `stats_value_counts`.`value` = d.`value`;
  DELETE FROM `stats_value_counts` WHERE `n` = 0;
  DELETE FROM `stats_members` WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`);
  -- In: each dirty recommendation that still exists, as it is now; a record without a value counts under ''.
  INSERT INTO `stats_members` SELECT r.`id`, '', '', r.`review_id`, v.`cycle`, coalesce(r.`position`, 'unknown'),
    coalesce((SELECT a.`status` FROM `assessments` a WHERE a.`recommendation_id` = r.`id`
      ORDER BY a.`assessed_on` DESC, a.`created_at` DESC, a.`id` DESC LIMIT 1), 'unknown')
    FROM `stats_dirty` q JOIN `recommendations` r ON r.`id` = q.`recommendation_id` JOIN `reviews` v ON v.`id` = r.`review_id`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'recommendingState', coalesce(l.`state_code`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_states` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_members` SELECT DISTINCT c.`recommendation_id`, 'regionalGroup', coalesce(s.`regional_group`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_states` l ON l.`recommendation_id` = c.`recommendation_id`
    LEFT JOIN `states` s ON s.`code` = l.`state_code`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'theme', coalesce(l.`theme_id`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_themes` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'sdg', coalesce(l.`goal`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_sdgs` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_review_counts` (`dim`, `review_id`, `value`, `position`, `implementation`, `n`) SELECT `dim`, `review_id`, `value`, `position`, `implementation`, count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `review_id`, `value`, `position`, `implementation` ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `stats_cycle_counts` (`dim`, `cycle`, `value`, `position`, `implementation`, `n`) SELECT `dim`, `cycle`, `value`, `position`, `implementation`, count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `cycle`, `value`, `position`, `implementation` ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `stats_value_counts` (`dim`, `value`, `n`) SELECT `dim`, `value`, count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `value` ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  DELETE FROM `stats_dirty`;
END;
--> statement-breakpoint
CREATE TRIGGER `stats_flush_on_revision_update` AFTER UPDATE ON `meta`
  WHEN new.`key` = 'revision' AND EXISTS (SELECT 1 FROM `stats_dirty`) BEGIN
  -- Out: the contributions counted so far.
  UPDATE `stats_review_counts` SET `n` = `n` - d.`gone` FROM (SELECT `dim`, `review_id`, `value`, `position`, `implementation`, count(*) AS `gone` FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `review_id`, `value`, `position`, `implementation`) d
  WHERE `stats_review_counts`.`dim` = d.`dim` AND `stats_review_counts`.`review_id` = d.`review_id` AND `stats_review_counts`.`value` = d.`value` AND `stats_review_counts`.`position` = d.`position` AND `stats_review_counts`.`implementation` = d.`implementation`;
  DELETE FROM `stats_review_counts` WHERE `n` = 0;
  UPDATE `stats_cycle_counts` SET `n` = `n` - d.`gone` FROM (SELECT `dim`, `cycle`, `value`, `position`, `implementation`, count(*) AS `gone` FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `cycle`, `value`, `position`, `implementation`) d
  WHERE `stats_cycle_counts`.`dim` = d.`dim` AND `stats_cycle_counts`.`cycle` = d.`cycle` AND `stats_cycle_counts`.`value` = d.`value` AND `stats_cycle_counts`.`position` = d.`position` AND `stats_cycle_counts`.`implementation` = d.`implementation`;
  DELETE FROM `stats_cycle_counts` WHERE `n` = 0;
  UPDATE `stats_value_counts` SET `n` = `n` - d.`gone` FROM (SELECT `dim`, `value`, count(*) AS `gone` FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `value`) d
  WHERE `stats_value_counts`.`dim` = d.`dim` AND `stats_value_counts`.`value` = d.`value`;
  DELETE FROM `stats_value_counts` WHERE `n` = 0;
  DELETE FROM `stats_members` WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`);
  -- In: each dirty recommendation that still exists, as it is now; a record without a value counts under ''.
  INSERT INTO `stats_members` SELECT r.`id`, '', '', r.`review_id`, v.`cycle`, coalesce(r.`position`, 'unknown'),
    coalesce((SELECT a.`status` FROM `assessments` a WHERE a.`recommendation_id` = r.`id`
      ORDER BY a.`assessed_on` DESC, a.`created_at` DESC, a.`id` DESC LIMIT 1), 'unknown')
    FROM `stats_dirty` q JOIN `recommendations` r ON r.`id` = q.`recommendation_id` JOIN `reviews` v ON v.`id` = r.`review_id`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'recommendingState', coalesce(l.`state_code`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_states` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_members` SELECT DISTINCT c.`recommendation_id`, 'regionalGroup', coalesce(s.`regional_group`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_states` l ON l.`recommendation_id` = c.`recommendation_id`
    LEFT JOIN `states` s ON s.`code` = l.`state_code`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'theme', coalesce(l.`theme_id`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_themes` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'sdg', coalesce(l.`goal`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_sdgs` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_review_counts` (`dim`, `review_id`, `value`, `position`, `implementation`, `n`) SELECT `dim`, `review_id`, `value`, `position`, `implementation`, count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `review_id`, `value`, `position`, `implementation` ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `stats_cycle_counts` (`dim`, `cycle`, `value`, `position`, `implementation`, `n`) SELECT `dim`, `cycle`, `value`, `position`, `implementation`, count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `cycle`, `value`, `position`, `implementation` ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `stats_value_counts` (`dim`, `value`, `n`) SELECT `dim`, `value`, count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `value` ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  DELETE FROM `stats_dirty`;
END;
--> statement-breakpoint
-- Backfill: every recommendation is dirty, and touching the revision (or creating it, as 0 = none yet)
-- counts them.
INSERT INTO `stats_dirty` (`recommendation_id`) SELECT `id` FROM `recommendations`;
--> statement-breakpoint
INSERT INTO `meta` (`key`, `value`) VALUES ('revision', '0') ON CONFLICT (`key`) DO UPDATE SET `value` = `value`;
