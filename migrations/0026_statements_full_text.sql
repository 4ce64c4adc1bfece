-- Full text over statements' summaries (GET /v1/statements?q=), as over recommendations' texts and developments'
-- titles and summaries (0003_full_text_rowid.sql): an external-content FTS5 table keyed by fts_rowid, set once
-- by the insert trigger and never changed; an update that keeps the summary leaves its entry alone (as 0016).
-- The existing statements are numbered by their rowid and indexed by the rebuild.
ALTER TABLE `statements` ADD `fts_rowid` integer;--> statement-breakpoint
UPDATE `statements` SET `fts_rowid` = `rowid`;--> statement-breakpoint
CREATE UNIQUE INDEX `statements_fts_rowid_idx` ON `statements` (`fts_rowid`);--> statement-breakpoint
CREATE VIRTUAL TABLE `statements_fts` USING fts5(
  `summary`,
  content = 'statements',
  content_rowid = 'fts_rowid',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO `statements_fts` (`statements_fts`) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `statements_fts_insert` AFTER INSERT ON `statements` BEGIN
  UPDATE `statements` SET `fts_rowid` = coalesce((SELECT max(`fts_rowid`) FROM `statements`), 0) + 1
    WHERE `rowid` = new.`rowid` AND `fts_rowid` IS NULL;
  INSERT INTO `statements_fts` (`rowid`, `summary`)
    SELECT `fts_rowid`, `summary` FROM `statements` WHERE `rowid` = new.`rowid`;
END;
--> statement-breakpoint
CREATE TRIGGER `statements_fts_delete` AFTER DELETE ON `statements` BEGIN
  INSERT INTO `statements_fts` (`statements_fts`, `rowid`, `summary`) VALUES ('delete', old.`fts_rowid`, old.`summary`);
END;
--> statement-breakpoint
CREATE TRIGGER `statements_fts_update` AFTER UPDATE OF `summary` ON `statements`
  WHEN old.`summary` IS NOT new.`summary` BEGIN
  INSERT INTO `statements_fts` (`statements_fts`, `rowid`, `summary`) VALUES ('delete', old.`fts_rowid`, old.`summary`);
  INSERT INTO `statements_fts` (`rowid`, `summary`) VALUES (new.`fts_rowid`, new.`summary`);
END;
