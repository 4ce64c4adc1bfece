import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';

// A consistent online copy of the database (SQLite's backup API): the service keeps answering, and writes
// made during the copy are either wholly in it or not at all. The copy is checked before it is reported.

export interface BackupReport {
  target: string;
  pages: number;
  bytes: number;
}

export class BackupError extends Error {
  override name = 'BackupError';
}

export async function backupDatabase(sourcePath: string, targetPath: string): Promise<BackupReport> {
  if (existsSync(targetPath)) throw new BackupError(`${targetPath} exists already; give a new file name.`);
  if (!existsSync(sourcePath)) throw new BackupError(`There is no database at ${sourcePath}.`);
  const source = new Database(sourcePath, { fileMustExist: true });
  let pages: number;
  try {
    pages = (await source.backup(targetPath)).totalPages;
  } finally {
    source.close();
  }
  // Opened to write, so that closing it removes the -wal and -shm files a WAL database gets when opened (read-only,
  // it would leave them beside the copy).
  const copy = new Database(targetPath, { fileMustExist: true });
  try {
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`The copy at ${targetPath} fails its integrity check: ${String(check)}`);
    const pageSize = copy.pragma('page_size', { simple: true }) as number;
    return { target: targetPath, pages, bytes: pages * pageSize };
  } finally {
    copy.close();
  }
}
