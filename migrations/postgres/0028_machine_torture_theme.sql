-- SQLite's 0036_machine_torture_theme: until 2026-12-06 UPR Info's issue "Torture and other CID treatment" gave
-- UHRI's "Prohibition of torture & cruel, inhuman or degrading treatment" as a machine label, but UPR Info codes
-- corporal punishment, female genital mutilation and harmful practices as Torture, which OHCHR files under
-- children's and women's themes. That theme as a machine label can only have come from the crosswalk: removed, as
-- a new database with the same data has none (curated and OHCHR's kept). The records changed are listed stale: the
-- next start rebuilds their documents (src/db/pg/freshen.ts); the counts follow (triggers).
WITH "removed" AS (
  DELETE FROM "recommendation_themes" l
  WHERE l."label_source" = 'machine'
    AND l."theme_id" IN (SELECT "id" FROM "themes" WHERE "scheme" = 'uhri' AND "label" = 'Prohibition of torture & cruel, inhuman or degrading treatment')
  RETURNING l."recommendation_id"
)
INSERT INTO "recommendation_documents_stale" ("recommendation_id") SELECT DISTINCT "recommendation_id" FROM "removed" ON CONFLICT DO NOTHING;
