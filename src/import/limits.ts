import { defaultConfig, type ImportLimits } from '../config.js';
import { ImportError } from './types.js';

// What one imported file may cost (IMPORT_MAX_* in src/config.ts). A file beyond a limit is refused before
// the work it would cause: the HTTP route answers 413, the command exits 1, nothing is written.

export type { ImportLimits };

export const DEFAULT_IMPORT_LIMITS: ImportLimits = defaultConfig().importLimits;

/** The file is larger (bytes, entries, elements, rows, a cell) than an import may be. */
export class ImportLimitError extends ImportError {
  override name = 'ImportLimitError';
}
