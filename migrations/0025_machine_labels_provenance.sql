-- Until 2026-12-03 (85aba8d) an import that merged a record with a stored one wrote the stored record's machine
-- labels again as the file's: a guess shown as UPR Info's (or OHCHR's) coding. UPR Info codes only its issues
-- and OHCHR only UHRI themes, so a UHRI theme stored as UPR Info's, or an issue stored as OHCHR's, is such a
-- label. A UHRI theme the crosswalk (src/tagging/crosswalk.ts, as of this migration) derives from an issue UPR
-- Info gave the record becomes the machine label it is (confidence 1), as a new database has it; the others,
-- whose confidence is lost, are removed (`npm run tag` gives a record without UPR Info's coding its labels again).
-- The documents and counts of the records changed follow (triggers), at the next open.
UPDATE `recommendation_themes` SET `label_source` = 'machine', `confidence` = 1
WHERE `label_source` = 'upr-info'
  AND `theme_id` IN (
    SELECT t.`id` FROM `themes` t
    JOIN (SELECT column1 AS `issue`, column2 AS `label` FROM (VALUES
      ('upr-info-death-penalty', 'Death penalty'),
      ('upr-info-enforced-disappearances', 'Enforced disappearances'),
      ('upr-info-nhri', 'National Human Rights Institution (NHRI)'),
      ('upr-info-racial-discrimination', 'Racial discrimination'),
      ('upr-info-right-to-education', 'Right to education'),
      ('upr-info-right-to-health', 'Right to health'),
      ('upr-info-right-to-housing', 'Right to adequate housing'),
      ('upr-info-torture-and-other-cid-treatment', 'Prohibition of torture & cruel, inhuman or degrading treatment'))) c ON c.`label` = t.`label`
    WHERE t.`scheme` = 'uhri' AND EXISTS (SELECT 1 FROM `recommendation_themes` i WHERE i.`recommendation_id` = `recommendation_themes`.`recommendation_id`
      AND i.`theme_id` = c.`issue` AND i.`label_source` = 'upr-info'))
  AND NOT EXISTS (SELECT 1 FROM `recommendation_themes` o JOIN `themes` t ON t.`id` = o.`theme_id`
    WHERE o.`recommendation_id` = `recommendation_themes`.`recommendation_id` AND t.`scheme` = 'uhri' AND o.`label_source` IN ('ohchr', 'curated'))
  AND NOT EXISTS (SELECT 1 FROM `machine_label_rejections` x WHERE x.`recommendation_id` = `recommendation_themes`.`recommendation_id`
    AND x.`theme_id` = `recommendation_themes`.`theme_id`);--> statement-breakpoint
DELETE FROM `recommendation_themes`
WHERE (`label_source` = 'upr-info' AND `theme_id` IN (SELECT `id` FROM `themes` WHERE `scheme` <> 'upr-info'))
  OR (`label_source` = 'ohchr' AND `theme_id` IN (SELECT `id` FROM `themes` WHERE `scheme` = 'upr-info'));
