import { realpathSync, statSync } from 'node:fs';

// SQLite keeps its files open: a database file deleted, moved or replaced (`mv` of a restored copy) under the
// running server went on being read and written through the open one, a deleted inode, and every write was
// answered 201 and lost at the next start, which found a new file (or the replacement, with this process's -wal
// replayed over it). Likewise a -wal or -shm deleted: the commits go to a file no later process finds. So the
// files the server opened are remembered by device and inode, and compared with what the path names now before
// each write and at each readiness probe (three stat calls: microseconds). Never by opening one: closing any
// descriptor of a file drops every POSIX lock this process holds on it, SQLite's included (a check that read the
// header did, and the next `sqlite3` to close the database deleted the -wal and -shm the server was using).
// A copy written over the file in place (`cp backup.sqlite db.sqlite`) keeps its inode: only a file cut shorter
// than a page is told; the README's restore is stop, copy, start.

/** SQLite's smallest page: a database file in WAL mode, once opened, holds at least its first page. */
const MIN_PAGE_BYTES = 512;

export interface FileTrouble {
  path: string;
  detail: string;
}

interface Opened {
  path: string;
  what: string;
  dev: number;
  ino: number;
}

export class DatabaseFiles {
  private readonly opened: Opened[];

  /** `path`: the database file, just opened in WAL mode (its -wal and -shm are beside the file a symlink names). */
  constructor(private readonly path: string) {
    const real = realpathSync(path);
    const files: Array<[string, string]> = [
      [path, 'database file'],
      [`${real}-wal`, 'write-ahead log (-wal)'],
      [`${real}-shm`, 'shared-memory index (-shm)'],
    ];
    this.opened = files.flatMap(([file, what]) => {
      const stat = statSync(file, { throwIfNoEntry: false });
      return stat === undefined ? [] : [{ path: file, what, dev: stat.dev, ino: stat.ino }];
    });
  }

  /**
   * What is wrong with the files the server opened (`detail`, for any client: no path in it; `path` for the log),
   * or undefined when they are still in place.
   */
  trouble(): FileTrouble | undefined {
    for (const { path, what, dev, ino } of this.opened) {
      let now;
      try {
        now = statSync(path);
      } catch (error) {
        return { path, detail: `its ${what} was removed or moved (${(error as NodeJS.ErrnoException).code})` };
      }
      if (now.dev !== dev || now.ino !== ino) return { path, detail: `its ${what} was replaced by another file` };
      if (path === this.path && now.size < MIN_PAGE_BYTES) return { path, detail: `its ${what} was truncated (${now.size} bytes)` };
    }
    return undefined;
  }
}

/** A 503's detail, for readiness and a refused write: what happened, and what an operator does. */
export const fileTroubleDetail = (trouble: FileTrouble, refused: string): string =>
  `The database file the service opened is no longer the one at DATABASE_PATH: ${trouble.detail}. ${refused} ` +
  'An operator must put the file back (or restore a copy with the service stopped) and restart the service.';

// SQLite's answers about the file rather than the statement: read-only (chmod 444, another owner, a read-only
// mount: met by a connection opened after the change, as the import thread's), not openable, damaged, an I/O
// error. An operator's to mend, not a fault of the request nor of the code: a 503, not a 500 (a full disk: 507).
const FILE_ERROR = /^SQLITE_(READONLY|CANTOPEN|PERM|IOERR|CORRUPT|NOTADB)/;

const fileError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FILE_ERROR.test(code);
};

/** Whether `error` (or the driver's error drizzle wrapped in it) says SQLite could not read or write its file. */
export const isDatabaseFileError = (error: unknown): boolean => fileError(error) || fileError((error as { cause?: unknown } | null)?.cause);
