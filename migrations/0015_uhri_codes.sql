ALTER TABLE `themes` ADD `uhri_code` text;--> statement-breakpoint
CREATE UNIQUE INDEX `themes_uhri_code_unique` ON `themes` (`uhri_code`) WHERE uhri_code is not null;--> statement-breakpoint
-- A UHRI code is a capital letter and 1-3 digits ("B32"), checked by triggers as in 0005_import_checks.
CREATE TRIGGER `themes_uhri_code_check_insert` BEFORE INSERT ON `themes` BEGIN
  SELECT CASE
    WHEN NOT (new.`uhri_code` is null or new.`uhri_code` glob '[A-Z][0-9]' or new.`uhri_code` glob '[A-Z][0-9][0-9]' or new.`uhri_code` glob '[A-Z][0-9][0-9][0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: themes_uhri_code_format')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `themes_uhri_code_check_update` BEFORE UPDATE OF `uhri_code` ON `themes` BEGIN
  SELECT CASE
    WHEN NOT (new.`uhri_code` is null or new.`uhri_code` glob '[A-Z][0-9]' or new.`uhri_code` glob '[A-Z][0-9][0-9]' or new.`uhri_code` glob '[A-Z][0-9][0-9][0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: themes_uhri_code_format')
  END;
END;
