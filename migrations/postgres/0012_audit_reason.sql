-- Why a change was made, as on SQLite (migrations/0022_audit_reason.sql): JSON text, null when not said.
ALTER TABLE "audit_log" ADD COLUMN "reason" text;
