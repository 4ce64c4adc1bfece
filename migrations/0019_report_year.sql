ALTER TABLE `reviews` ADD `report_year` integer;--> statement-breakpoint
-- What no write may store in the new column, checked by triggers as in 0005_import_checks (a CHECK constraint
-- would need the table rebuilt). Reviews imported before this column existed keep it null: importing their
-- file again fills it in (src/import/apply.ts fills a missing value, never overwrites one).
CREATE TRIGGER `reviews_report_year_check_insert` BEFORE INSERT ON `reviews` BEGIN
  SELECT CASE
    WHEN NOT (new.`report_year` is null or new.`report_year` between 2008 and 2100) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_report_year_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `reviews_report_year_check_update` BEFORE UPDATE OF `report_year` ON `reviews` BEGIN
  SELECT CASE
    WHEN NOT (new.`report_year` is null or new.`report_year` between 2008 and 2100) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_report_year_range')
  END;
END;
