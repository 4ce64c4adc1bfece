-- Last line of defence behind the write API's and the importers' validation: what no write may store.
-- SQLite cannot add a CHECK constraint to an existing table without rebuilding it, and a rebuild inside the
-- migrator's transaction (where PRAGMA foreign_keys=OFF is a no-op) would cascade-delete the link tables and
-- drop the full-text triggers: so each table gets BEFORE INSERT and BEFORE UPDATE triggers that abort the
-- statement with "CHECK constraint failed: <table>_<check>", as a CHECK constraint would.
CREATE TRIGGER `states_check_insert` BEFORE INSERT ON `states` BEGIN
  SELECT CASE
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: states_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `states_check_update` BEFORE UPDATE ON `states` BEGIN
  SELECT CASE
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: states_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `reviews_check_insert` BEFORE INSERT ON `reviews` BEGIN
  SELECT CASE
    WHEN NOT (new.`id` = new.`state_code` || '-' || new.`cycle`) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_id_state_and_cycle')
    WHEN NOT (new.`wg_session` is null or new.`wg_session` between 1 and 999) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_wg_session_range')
    WHEN NOT (new.`adoption_session` is null or new.`adoption_session` between 1 and 999) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_adoption_session_range')
    WHEN NOT (new.`report_symbol` is null or length(new.`report_symbol`) between 1 and 100) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_report_symbol_length')
    WHEN NOT (new.`dialogue_date` is null or new.`dialogue_date` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: reviews_dialogue_date_shape')
    WHEN NOT ((new.`adoption_date` is null) = (new.`adoption_date_precision` is null)) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_adoption_date_precision')
    WHEN NOT (new.`adoption_date` is null or (new.`adoption_date_precision` = 'day' and new.`adoption_date` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]') or (new.`adoption_date_precision` = 'month' and new.`adoption_date` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]') or (new.`adoption_date_precision` = 'year' and new.`adoption_date` glob '[0-9][0-9][0-9][0-9]')) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_adoption_date_shape')
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `reviews_check_update` BEFORE UPDATE ON `reviews` BEGIN
  SELECT CASE
    WHEN NOT (new.`id` = new.`state_code` || '-' || new.`cycle`) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_id_state_and_cycle')
    WHEN NOT (new.`wg_session` is null or new.`wg_session` between 1 and 999) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_wg_session_range')
    WHEN NOT (new.`adoption_session` is null or new.`adoption_session` between 1 and 999) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_adoption_session_range')
    WHEN NOT (new.`report_symbol` is null or length(new.`report_symbol`) between 1 and 100) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_report_symbol_length')
    WHEN NOT (new.`dialogue_date` is null or new.`dialogue_date` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: reviews_dialogue_date_shape')
    WHEN NOT ((new.`adoption_date` is null) = (new.`adoption_date_precision` is null)) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_adoption_date_precision')
    WHEN NOT (new.`adoption_date` is null or (new.`adoption_date_precision` = 'day' and new.`adoption_date` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]') or (new.`adoption_date_precision` = 'month' and new.`adoption_date` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]') or (new.`adoption_date_precision` = 'year' and new.`adoption_date` glob '[0-9][0-9][0-9][0-9]')) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_adoption_date_shape')
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: reviews_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_check_insert` BEFORE INSERT ON `recommendations` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200 and new.`id` not glob '*[^A-Za-z0-9._~-]*' and substr(new.`id`, 1, 1) glob '[A-Za-z0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_id_shape')
    WHEN NOT (length(new.`text`) between 1 and 10000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_text_length')
    WHEN NOT (new.`paragraph` is null or length(new.`paragraph`) between 1 and 50) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_paragraph_length')
    WHEN NOT (new.`position` is null or new.`position` in ('supported', 'partially_supported', 'noted', 'pending')) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_position_value')
    WHEN NOT (new.`position` is null or new.`position_source` is not null) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_position_needs_source')
    WHEN NOT (new.`position_source` is null or length(new.`position_source`) between 1 and 1000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_position_source_length')
    WHEN NOT (new.`position_label` is null or length(new.`position_label`) between 1 and 1000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_position_label_length')
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_check_update` BEFORE UPDATE ON `recommendations` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200 and new.`id` not glob '*[^A-Za-z0-9._~-]*' and substr(new.`id`, 1, 1) glob '[A-Za-z0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_id_shape')
    WHEN NOT (length(new.`text`) between 1 and 10000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_text_length')
    WHEN NOT (new.`paragraph` is null or length(new.`paragraph`) between 1 and 50) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_paragraph_length')
    WHEN NOT (new.`position` is null or new.`position` in ('supported', 'partially_supported', 'noted', 'pending')) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_position_value')
    WHEN NOT (new.`position` is null or new.`position_source` is not null) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_position_needs_source')
    WHEN NOT (new.`position_source` is null or length(new.`position_source`) between 1 and 1000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_position_source_length')
    WHEN NOT (new.`position_label` is null or length(new.`position_label`) between 1 and 1000) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_position_label_length')
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: recommendations_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_unresolved_states_check_insert` BEFORE INSERT ON `recommendation_unresolved_states` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`name`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_unresolved_states_name_length')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendation_unresolved_states_check_update` BEFORE UPDATE ON `recommendation_unresolved_states` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`name`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: recommendation_unresolved_states_name_length')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `sources_check_insert` BEFORE INSERT ON `sources` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200 and new.`id` not glob '*[^A-Za-z0-9._~-]*' and substr(new.`id`, 1, 1) glob '[A-Za-z0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: sources_id_shape')
    WHEN NOT (lower(substr(new.`url`, 1, 7)) = 'http://' or lower(substr(new.`url`, 1, 8)) = 'https://') THEN RAISE(ABORT, 'CHECK constraint failed: sources_url_http')
    WHEN NOT (length(new.`url`) between 1 and 2000) THEN RAISE(ABORT, 'CHECK constraint failed: sources_url_length')
    WHEN NOT (length(new.`title`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: sources_title_length')
    WHEN NOT (length(new.`publisher`) between 1 and 300) THEN RAISE(ABORT, 'CHECK constraint failed: sources_publisher_length')
    WHEN NOT (new.`published_on` is null or new.`published_on` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: sources_published_on_shape')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `sources_check_update` BEFORE UPDATE ON `sources` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200 and new.`id` not glob '*[^A-Za-z0-9._~-]*' and substr(new.`id`, 1, 1) glob '[A-Za-z0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: sources_id_shape')
    WHEN NOT (lower(substr(new.`url`, 1, 7)) = 'http://' or lower(substr(new.`url`, 1, 8)) = 'https://') THEN RAISE(ABORT, 'CHECK constraint failed: sources_url_http')
    WHEN NOT (length(new.`url`) between 1 and 2000) THEN RAISE(ABORT, 'CHECK constraint failed: sources_url_length')
    WHEN NOT (length(new.`title`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: sources_title_length')
    WHEN NOT (length(new.`publisher`) between 1 and 300) THEN RAISE(ABORT, 'CHECK constraint failed: sources_publisher_length')
    WHEN NOT (new.`published_on` is null or new.`published_on` glob '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]') THEN RAISE(ABORT, 'CHECK constraint failed: sources_published_on_shape')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `themes_check_insert` BEFORE INSERT ON `themes` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200) THEN RAISE(ABORT, 'CHECK constraint failed: themes_id_length')
    WHEN NOT (length(new.`label`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: themes_label_length')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `themes_check_update` BEFORE UPDATE ON `themes` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200) THEN RAISE(ABORT, 'CHECK constraint failed: themes_id_length')
    WHEN NOT (length(new.`label`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: themes_label_length')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `affected_persons_groups_check_insert` BEFORE INSERT ON `affected_persons_groups` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200) THEN RAISE(ABORT, 'CHECK constraint failed: affected_persons_groups_id_length')
    WHEN NOT (length(new.`label`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: affected_persons_groups_label_length')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `affected_persons_groups_check_update` BEFORE UPDATE ON `affected_persons_groups` BEGIN
  SELECT CASE
    WHEN NOT (length(new.`id`) between 1 and 200) THEN RAISE(ABORT, 'CHECK constraint failed: affected_persons_groups_id_length')
    WHEN NOT (length(new.`label`) between 1 and 500) THEN RAISE(ABORT, 'CHECK constraint failed: affected_persons_groups_label_length')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `developments_check_insert` BEFORE INSERT ON `developments` BEGIN
  SELECT CASE
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: developments_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `developments_check_update` BEFORE UPDATE ON `developments` BEGIN
  SELECT CASE
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: developments_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_check_insert` BEFORE INSERT ON `assessments` BEGIN
  SELECT CASE
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: assessments_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_check_update` BEFORE UPDATE ON `assessments` BEGIN
  SELECT CASE
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: assessments_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `statements_check_insert` BEFORE INSERT ON `statements` BEGIN
  SELECT CASE
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: statements_version_range')
  END;
END;
--> statement-breakpoint
CREATE TRIGGER `statements_check_update` BEFORE UPDATE ON `statements` BEGIN
  SELECT CASE
    WHEN NOT (new.`version` between 1 and 9007199254740991) THEN RAISE(ABORT, 'CHECK constraint failed: statements_version_range')
  END;
END;
