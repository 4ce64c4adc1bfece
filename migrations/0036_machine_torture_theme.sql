-- Until 2026-12-06 (session 43) UPR Info's issue "Torture and other CID treatment" gave a recommendation UHRI's
-- "Prohibition of torture & cruel, inhuman or degrading treatment" as a machine label. UPR Info codes corporal
-- punishment, female genital mutilation and harmful practices as Torture, which OHCHR files under children's and
-- women's themes, so the crosswalk (src/tagging/crosswalk.ts) no longer derives it. That theme as a machine label
-- can only have come from the crosswalk (the tagger gives UPR Info's issues only): removed, as a new database with
-- the same data has none. Curated and OHCHR's labels of the theme are kept. The documents and counts of the
-- records changed follow (triggers), at the next open.
DELETE FROM `recommendation_themes`
WHERE `label_source` = 'machine'
  AND `theme_id` IN (SELECT `id` FROM `themes` WHERE `scheme` = 'uhri' AND `label` = 'Prohibition of torture & cruel, inhuman or degrading treatment');
