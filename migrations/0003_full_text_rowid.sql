-- Full-text indexes as external-content FTS5 tables keyed by a stable integer (fts_rowid), instead of
-- standalone tables keyed by the text id: a query takes its top matches by rank inside FTS5 and joins them on
-- an integer, and the text is no longer stored twice. fts_rowid is an explicit column, set once by the insert
-- trigger (one more than the largest given so far) and never changed: VACUUM may renumber the implicit rowid of
-- a table whose primary key is text, but not a column.
DROP TRIGGER `recommendations_fts_insert`;
--> statement-breakpoint
DROP TRIGGER `recommendations_fts_delete`;
--> statement-breakpoint
DROP TRIGGER `recommendations_fts_update`;
--> statement-breakpoint
DROP TABLE `recommendations_fts`;
--> statement-breakpoint
ALTER TABLE `recommendations` ADD `fts_rowid` integer;
--> statement-breakpoint
UPDATE `recommendations` SET `fts_rowid` = `rowid`;
--> statement-breakpoint
CREATE UNIQUE INDEX `recommendations_fts_rowid_idx` ON `recommendations` (`fts_rowid`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `recommendations_fts` USING fts5(
  `text`,
  content = 'recommendations',
  content_rowid = 'fts_rowid',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO `recommendations_fts` (`recommendations_fts`) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `recommendations_fts_insert` AFTER INSERT ON `recommendations` BEGIN
  UPDATE `recommendations` SET `fts_rowid` = coalesce((SELECT max(`fts_rowid`) FROM `recommendations`), 0) + 1
    WHERE `rowid` = new.`rowid` AND `fts_rowid` IS NULL;
  INSERT INTO `recommendations_fts` (`rowid`, `text`)
    SELECT `fts_rowid`, `text` FROM `recommendations` WHERE `rowid` = new.`rowid`;
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_fts_delete` AFTER DELETE ON `recommendations` BEGIN
  INSERT INTO `recommendations_fts` (`recommendations_fts`, `rowid`, `text`) VALUES ('delete', old.`fts_rowid`, old.`text`);
END;
--> statement-breakpoint
CREATE TRIGGER `recommendations_fts_update` AFTER UPDATE OF `text` ON `recommendations` BEGIN
  INSERT INTO `recommendations_fts` (`recommendations_fts`, `rowid`, `text`) VALUES ('delete', old.`fts_rowid`, old.`text`);
  INSERT INTO `recommendations_fts` (`rowid`, `text`) VALUES (new.`fts_rowid`, new.`text`);
END;
--> statement-breakpoint
DROP TRIGGER `developments_fts_insert`;
--> statement-breakpoint
DROP TRIGGER `developments_fts_delete`;
--> statement-breakpoint
DROP TRIGGER `developments_fts_update`;
--> statement-breakpoint
DROP TABLE `developments_fts`;
--> statement-breakpoint
ALTER TABLE `developments` ADD `fts_rowid` integer;
--> statement-breakpoint
UPDATE `developments` SET `fts_rowid` = `rowid`;
--> statement-breakpoint
CREATE UNIQUE INDEX `developments_fts_rowid_idx` ON `developments` (`fts_rowid`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `developments_fts` USING fts5(
  `title`,
  `summary`,
  content = 'developments',
  content_rowid = 'fts_rowid',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO `developments_fts` (`developments_fts`) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `developments_fts_insert` AFTER INSERT ON `developments` BEGIN
  UPDATE `developments` SET `fts_rowid` = coalesce((SELECT max(`fts_rowid`) FROM `developments`), 0) + 1
    WHERE `rowid` = new.`rowid` AND `fts_rowid` IS NULL;
  INSERT INTO `developments_fts` (`rowid`, `title`, `summary`)
    SELECT `fts_rowid`, `title`, `summary` FROM `developments` WHERE `rowid` = new.`rowid`;
END;
--> statement-breakpoint
CREATE TRIGGER `developments_fts_delete` AFTER DELETE ON `developments` BEGIN
  INSERT INTO `developments_fts` (`developments_fts`, `rowid`, `title`, `summary`)
    VALUES ('delete', old.`fts_rowid`, old.`title`, old.`summary`);
END;
--> statement-breakpoint
CREATE TRIGGER `developments_fts_update` AFTER UPDATE OF `title`, `summary` ON `developments` BEGIN
  INSERT INTO `developments_fts` (`developments_fts`, `rowid`, `title`, `summary`)
    VALUES ('delete', old.`fts_rowid`, old.`title`, old.`summary`);
  INSERT INTO `developments_fts` (`rowid`, `title`, `summary`) VALUES (new.`fts_rowid`, new.`title`, new.`summary`);
END;
