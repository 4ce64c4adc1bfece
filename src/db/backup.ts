import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

// A consistent online copy of the database (SQLite's backup API): the service keeps answering, and writes
// made during the copy are either wholly in it or not at all. The copy is checked before it is reported.

export interface BackupReport {
  target: string;
  pages: number;
  bytes: number;
}

/**
 * Why no backup was made, said in a line: `file` when the target cannot be written (it exists, its folder is missing
 * or not writable), else `failed` (the database missing or no database, the copy failing its check): the commands'
 * kinds (src/common/command-line.ts), as the CLI's --json says them. Any other error (a full disk, an interruption)
 * is `failed` too.
 */
export class BackupError extends Error {
  override name = 'BackupError';
  constructor(
    message: string,
    readonly kind: 'file' | 'failed' = 'failed',
  ) {
    super(message);
  }
}

const UNWRITABLE: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is a file, not a folder',
  EACCES: 'its folder may not be written',
  EPERM: 'its folder may not be written',
  EROFS: 'its file system is read-only',
};

/** Claims the copy's file, so that a target that cannot be written is said before anything is copied. */
function claim(partial: string, targetPath: string): void {
  try {
    closeSync(openSync(partial, 'wx'));
  } catch (error) {
    const code = String((error as NodeJS.ErrnoException).code);
    throw new BackupError(`Cannot write ${targetPath}: ${UNWRITABLE[code] ?? (error as Error).message}.`, 'file');
  }
}

/** A source SQLite cannot read as a database said with its name (it was "file is not a database", nothing else). */
function notADatabase(error: unknown, sourcePath: string): unknown {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' ? new BackupError(`${sourcePath} is no database SQLite can read: ${(error as Error).message}.`) : error;
}

function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// `signal` stops a copy under way (the CLI's Ctrl-C): it is rejected with the signal's reason and leaves no file.
export async function backupDatabase(sourcePath: string, targetPath: string, signal?: AbortSignal): Promise<BackupReport> {
  if (existsSync(targetPath)) throw new BackupError(`${targetPath} exists already; give a new file name.`, 'file');
  if (!existsSync(sourcePath)) throw new BackupError(`There is no database at ${sourcePath}.`);
  // Written under another name and linked into place once checked: a copy cut short (Ctrl-C, a kill, a full disk)
  // or failing its check left a file at the backup's name, with a journal beside it that rolled it back to an empty
  // database: restored, the service took it for a new one and seeded it; without its journal it was no database.
  const partial = `${targetPath}.partial-${process.pid}`;
  claim(partial, targetPath);
  try {
    const source = new Database(sourcePath, { fileMustExist: true });
    let pages: number;
    try {
      // Thrown from the progress callback, an abort stops the copy between two steps.
      const progress = () => {
        signal?.throwIfAborted();
        return 100; // pages a step, better-sqlite3's default
      };
      pages = (await source.backup(partial, { progress }).catch((error: unknown) => Promise.reject(notADatabase(error, sourcePath)))).totalPages;
    } finally {
      source.close();
    }
    // Opened to write, so that closing it removes the -wal and -shm files a WAL database gets when opened (read-only,
    // it would leave them beside the copy).
    const copy = new Database(partial, { fileMustExist: true });
    let pageSize: number;
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new BackupError(`The copy of ${sourcePath} fails its integrity check: ${String(check)}`);
      pageSize = copy.pragma('page_size', { simple: true }) as number;
    } finally {
      copy.close();
    }
    // Stopped during the check too (the check of a large file takes a while): nothing is left at the name.
    signal?.throwIfAborted();
    // Renamed (a hard link is refused by FAT and some network shares): the copy is whole at its name or absent.
    if (existsSync(targetPath)) throw new BackupError(`${targetPath} was made while the copy ran; give a new file name.`, 'file');
    renameSync(partial, targetPath);
    // The rename is in the folder's entries: on disk once the folder is synced (a power loss could lose it, the copy
    // with it). Windows opens no folder to sync (NTFS journals the rename itself).
    if (process.platform !== 'win32') syncFolder(dirname(targetPath));
    return { target: targetPath, pages, bytes: pages * pageSize };
  } finally {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(partial + suffix, { force: true });
  }
}
