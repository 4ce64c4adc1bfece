-- Full text over statements' summaries (GET /v1/statements?q=), as 0014_fts5_terms.sql does for recommendations
-- and developments: `search` holds FTS5's terms written by the application (src/db/pg/fulltext.ts), NULL until
-- filled (the start fills the existing statements, every write its own before it commits), and set back to NULL
-- when the summary changes. fts_rowid as SQLite's, so that a copy back to SQLite keeps its FTS5 rowids: the
-- statements without one are numbered after the others, in id order. (Every step may run again: a test applies
-- the last migration again.)
ALTER TABLE "statements" ADD COLUMN IF NOT EXISTS "fts_rowid" bigint;--> statement-breakpoint
ALTER TABLE "statements" ADD COLUMN IF NOT EXISTS "search" "tsvector";--> statement-breakpoint
UPDATE "statements" s SET "fts_rowid" = n.n
  FROM (SELECT id, (SELECT coalesce(max("fts_rowid"), 0) FROM "statements") + row_number() OVER (ORDER BY id) AS n
    FROM "statements" WHERE "fts_rowid" IS NULL) n
  WHERE s.id = n.id;--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "statements_fts_rowid_idx" ON "statements" USING btree ("fts_rowid");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "statements_search_idx" ON "statements" USING gin ("search");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "statements_search_unfilled_idx" ON "statements" USING btree ("id") WHERE search is null;--> statement-breakpoint
DROP TRIGGER IF EXISTS statements_search_unfilled ON statements;--> statement-breakpoint
CREATE TRIGGER statements_search_unfilled BEFORE UPDATE OF summary ON statements
  FOR EACH ROW WHEN (OLD.summary IS DISTINCT FROM NEW.summary) EXECUTE FUNCTION search_unfilled();
