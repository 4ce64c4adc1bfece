-- The stats flush in one pass over the dirty recommendations' members (out, then in), not three: each
-- member's change is counted once into stats_delta, at the finest cell (dim, review, value, position,
-- implementation, cycle), and the three kept counts are changed from those cells (a few thousand rows where
-- the members of an import are ~200,000). Same counts as 0004's flush: a count becomes old - out + in, and a
-- count at 0 is no row. stats_delta is empty outside a flush (a scratch table: a trigger cannot make one).
-- The members are read from the dirty list outward (CROSS JOIN keeps that order): with the statistics of a
-- database whose stats_dirty was empty when analysed, 0004's joins scanned every member (or every
-- recommendation) at each flush, a write of one recommendation included (~40 ms each at 200,000 members).
CREATE TABLE IF NOT EXISTS `stats_delta` (
	`dim` text NOT NULL,
	`review_id` text NOT NULL,
	`value` blob NOT NULL,
	`position` text NOT NULL,
	`implementation` text NOT NULL,
	`cycle` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`dim`, `review_id`, `value`, `position`, `implementation`, `cycle`)
) WITHOUT ROWID;
--> statement-breakpoint
DROP TRIGGER `stats_flush_on_revision_insert`;
--> statement-breakpoint
CREATE TRIGGER `stats_flush_on_revision_insert` AFTER INSERT ON `meta`
  WHEN new.`key` = 'revision' AND EXISTS (SELECT 1 FROM `stats_dirty`) BEGIN
  -- Out: the contributions counted so far, as negative changes of the finest cells.
  INSERT INTO `stats_delta` (`dim`, `review_id`, `value`, `position`, `implementation`, `cycle`, `n`) SELECT `dim`, `review_id`, `value`, `position`, `implementation`, `cycle`, -count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `review_id`, `value`, `position`, `implementation`, `cycle`;
  DELETE FROM `stats_members` WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`);
  -- In: each dirty recommendation that still exists, as it is now; a record without a value counts under ''.
  INSERT INTO `stats_members` SELECT r.`id`, '', '', r.`review_id`, v.`cycle`, coalesce(r.`position`, 'unknown'),
    coalesce((SELECT a.`status` FROM `assessments` a WHERE a.`recommendation_id` = r.`id`
      ORDER BY a.`assessed_on` DESC, a.`created_at` DESC, a.`id` DESC LIMIT 1), 'unknown')
    FROM `stats_dirty` q CROSS JOIN `recommendations` r ON r.`id` = q.`recommendation_id` CROSS JOIN `reviews` v ON v.`id` = r.`review_id`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'recommendingState', coalesce(l.`state_code`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q CROSS JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_states` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_members` SELECT DISTINCT c.`recommendation_id`, 'regionalGroup', coalesce(s.`regional_group`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q CROSS JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_states` l ON l.`recommendation_id` = c.`recommendation_id`
    LEFT JOIN `states` s ON s.`code` = l.`state_code`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'theme', coalesce(l.`theme_id`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q CROSS JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_themes` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'sdg', coalesce(l.`goal`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q CROSS JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_sdgs` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_delta` (`dim`, `review_id`, `value`, `position`, `implementation`, `cycle`, `n`) SELECT `dim`, `review_id`, `value`, `position`, `implementation`, `cycle`, count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `review_id`, `value`, `position`, `implementation`, `cycle` ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  -- The changes applied to each count (a count at 0 is no row); a cell's review gives its cycle.
  INSERT INTO `stats_review_counts` (`dim`, `review_id`, `value`, `position`, `implementation`, `n`)
    SELECT `dim`, `review_id`, `value`, `position`, `implementation`, sum(`n`) FROM `stats_delta` WHERE true
    GROUP BY `dim`, `review_id`, `value`, `position`, `implementation` HAVING sum(`n`) <> 0 ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  DELETE FROM `stats_review_counts` WHERE `n` = 0;
  INSERT INTO `stats_cycle_counts` (`dim`, `cycle`, `value`, `position`, `implementation`, `n`)
    SELECT `dim`, `cycle`, `value`, `position`, `implementation`, sum(`n`) FROM `stats_delta` WHERE true
    GROUP BY `dim`, `cycle`, `value`, `position`, `implementation` HAVING sum(`n`) <> 0 ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  DELETE FROM `stats_cycle_counts` WHERE `n` = 0;
  INSERT INTO `stats_value_counts` (`dim`, `value`, `n`)
    SELECT `dim`, `value`, sum(`n`) FROM `stats_delta` WHERE true
    GROUP BY `dim`, `value` HAVING sum(`n`) <> 0 ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  DELETE FROM `stats_value_counts` WHERE `n` = 0;
  DELETE FROM `stats_delta`;
  DELETE FROM `stats_dirty`;
END;
--> statement-breakpoint
DROP TRIGGER `stats_flush_on_revision_update`;
--> statement-breakpoint
CREATE TRIGGER `stats_flush_on_revision_update` AFTER UPDATE ON `meta`
  WHEN new.`key` = 'revision' AND EXISTS (SELECT 1 FROM `stats_dirty`) BEGIN
  -- Out: the contributions counted so far, as negative changes of the finest cells.
  INSERT INTO `stats_delta` (`dim`, `review_id`, `value`, `position`, `implementation`, `cycle`, `n`) SELECT `dim`, `review_id`, `value`, `position`, `implementation`, `cycle`, -count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `review_id`, `value`, `position`, `implementation`, `cycle`;
  DELETE FROM `stats_members` WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`);
  -- In: each dirty recommendation that still exists, as it is now; a record without a value counts under ''.
  INSERT INTO `stats_members` SELECT r.`id`, '', '', r.`review_id`, v.`cycle`, coalesce(r.`position`, 'unknown'),
    coalesce((SELECT a.`status` FROM `assessments` a WHERE a.`recommendation_id` = r.`id`
      ORDER BY a.`assessed_on` DESC, a.`created_at` DESC, a.`id` DESC LIMIT 1), 'unknown')
    FROM `stats_dirty` q CROSS JOIN `recommendations` r ON r.`id` = q.`recommendation_id` CROSS JOIN `reviews` v ON v.`id` = r.`review_id`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'recommendingState', coalesce(l.`state_code`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q CROSS JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_states` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_members` SELECT DISTINCT c.`recommendation_id`, 'regionalGroup', coalesce(s.`regional_group`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q CROSS JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_states` l ON l.`recommendation_id` = c.`recommendation_id`
    LEFT JOIN `states` s ON s.`code` = l.`state_code`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'theme', coalesce(l.`theme_id`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q CROSS JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_themes` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_members` SELECT c.`recommendation_id`, 'sdg', coalesce(l.`goal`, ''), c.`review_id`, c.`cycle`, c.`position`, c.`implementation`
    FROM `stats_dirty` q CROSS JOIN `stats_members` c ON c.`recommendation_id` = q.`recommendation_id` AND c.`dim` = '' AND c.`value` = ''
    LEFT JOIN `recommendation_sdgs` l ON l.`recommendation_id` = c.`recommendation_id`;
  INSERT INTO `stats_delta` (`dim`, `review_id`, `value`, `position`, `implementation`, `cycle`, `n`) SELECT `dim`, `review_id`, `value`, `position`, `implementation`, `cycle`, count(*) FROM `stats_members`
    WHERE `recommendation_id` IN (SELECT `recommendation_id` FROM `stats_dirty`) GROUP BY `dim`, `review_id`, `value`, `position`, `implementation`, `cycle` ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  -- The changes applied to each count (a count at 0 is no row); a cell's review gives its cycle.
  INSERT INTO `stats_review_counts` (`dim`, `review_id`, `value`, `position`, `implementation`, `n`)
    SELECT `dim`, `review_id`, `value`, `position`, `implementation`, sum(`n`) FROM `stats_delta` WHERE true
    GROUP BY `dim`, `review_id`, `value`, `position`, `implementation` HAVING sum(`n`) <> 0 ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  DELETE FROM `stats_review_counts` WHERE `n` = 0;
  INSERT INTO `stats_cycle_counts` (`dim`, `cycle`, `value`, `position`, `implementation`, `n`)
    SELECT `dim`, `cycle`, `value`, `position`, `implementation`, sum(`n`) FROM `stats_delta` WHERE true
    GROUP BY `dim`, `cycle`, `value`, `position`, `implementation` HAVING sum(`n`) <> 0 ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  DELETE FROM `stats_cycle_counts` WHERE `n` = 0;
  INSERT INTO `stats_value_counts` (`dim`, `value`, `n`)
    SELECT `dim`, `value`, sum(`n`) FROM `stats_delta` WHERE true
    GROUP BY `dim`, `value` HAVING sum(`n`) <> 0 ON CONFLICT DO UPDATE SET `n` = `n` + excluded.`n`;
  DELETE FROM `stats_value_counts` WHERE `n` = 0;
  DELETE FROM `stats_delta`;
  DELETE FROM `stats_dirty`;
END;
