-- SQLite's 0025_machine_labels_provenance: until 2026-12-03 an import that merged a record with a stored one
-- wrote the stored record's machine labels again as the file's (a guess shown as UPR Info's or OHCHR's coding).
-- A UHRI theme stored as UPR Info's that the crosswalk derives from an issue UPR Info gave the record becomes the
-- machine label it is (confidence 1); the other UHRI themes stored as UPR Info's, and issues stored as OHCHR's,
-- are removed. The records changed are listed stale: the next start rebuilds their documents (src/db/pg/freshen.ts).
WITH "converted" AS (
  UPDATE "recommendation_themes" l SET "label_source" = 'machine', "confidence" = 1
  WHERE l."label_source" = 'upr-info'
    AND l."theme_id" IN (
      SELECT t."id" FROM "themes" t
      JOIN (VALUES
        ('upr-info-death-penalty', 'Death penalty'),
        ('upr-info-enforced-disappearances', 'Enforced disappearances'),
        ('upr-info-nhri', 'National Human Rights Institution (NHRI)'),
        ('upr-info-racial-discrimination', 'Racial discrimination'),
        ('upr-info-right-to-education', 'Right to education'),
        ('upr-info-right-to-health', 'Right to health'),
        ('upr-info-right-to-housing', 'Right to adequate housing'),
        ('upr-info-torture-and-other-cid-treatment', 'Prohibition of torture & cruel, inhuman or degrading treatment')) c("issue", "label") ON c."label" = t."label"
      WHERE t."scheme" = 'uhri' AND EXISTS (SELECT 1 FROM "recommendation_themes" i WHERE i."recommendation_id" = l."recommendation_id"
        AND i."theme_id" = c."issue" AND i."label_source" = 'upr-info'))
    AND NOT EXISTS (SELECT 1 FROM "recommendation_themes" o JOIN "themes" t ON t."id" = o."theme_id"
      WHERE o."recommendation_id" = l."recommendation_id" AND t."scheme" = 'uhri' AND o."label_source" IN ('ohchr', 'curated'))
    AND NOT EXISTS (SELECT 1 FROM "machine_label_rejections" x WHERE x."recommendation_id" = l."recommendation_id" AND x."theme_id" = l."theme_id")
  RETURNING l."recommendation_id"
)
INSERT INTO "recommendation_documents_stale" ("recommendation_id") SELECT DISTINCT "recommendation_id" FROM "converted" ON CONFLICT DO NOTHING;--> statement-breakpoint
WITH "removed" AS (
  DELETE FROM "recommendation_themes" l
  WHERE (l."label_source" = 'upr-info' AND l."theme_id" IN (SELECT "id" FROM "themes" WHERE "scheme" <> 'upr-info'))
    OR (l."label_source" = 'ohchr' AND l."theme_id" IN (SELECT "id" FROM "themes" WHERE "scheme" = 'upr-info'))
  RETURNING l."recommendation_id"
)
INSERT INTO "recommendation_documents_stale" ("recommendation_id") SELECT DISTINCT "recommendation_id" FROM "removed" ON CONFLICT DO NOTHING;
