-- Why a change was made, when its writer says more than the actor does (an import that split one source's
-- record by paragraph): JSON, null for every entry before it and for the others (GET …/history, /v1/changes).
ALTER TABLE `audit_log` ADD `reason` text;
