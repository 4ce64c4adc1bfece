ALTER TABLE `recommendation_themes` ADD `confidence` real;--> statement-breakpoint
-- A confidence (0–1) only on a machine label: as a trigger, like 0005's checks (a CHECK means rebuilding the table).
CREATE TRIGGER `recommendation_themes_confidence_check_insert` BEFORE INSERT ON `recommendation_themes` BEGIN
  SELECT CASE
    WHEN NOT (new.`confidence` is null or (new.`label_source` = 'machine' and new.`confidence` between 0 and 1)) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_themes_confidence')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_themes_confidence_check_update` BEFORE UPDATE ON `recommendation_themes` BEGIN
  SELECT CASE
    WHEN NOT (new.`confidence` is null or (new.`label_source` = 'machine' and new.`confidence` between 0 and 1)) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_themes_confidence')
  END;
END;
