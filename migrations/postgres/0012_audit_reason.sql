-- Why a change was made, as on SQLite (migrations/0022_audit_reason.sql): JSON text, null when not said.
-- IF NOT EXISTS: tests that roll a database back to an earlier migration run this one again.
ALTER TABLE "audit_log" ADD COLUMN IF NOT EXISTS "reason" text;
