// A database migrated by a newer release records a migration this version's journal does not hold. Opened
// here it would be served and written without what that release keeps (columns, triggers, stored documents
// in its shape): refused before anything is written, saying which release it needs.

/** The database holds a migration made after every one this version knows. */
export class NewerDatabaseError extends Error {
  override name = 'NewerDatabaseError';
}

/** Throws NewerDatabaseError when `lastRecorded` (the newest migration's `created_at`) is newer than the journal's newest. */
export function refuseNewerDatabase(lastRecorded: number, journal: ReadonlyArray<{ when: number }>, recorded: number): void {
  const known = journal.at(-1)?.when ?? 0;
  if (lastRecorded <= known) return;
  throw new NewerDatabaseError(
    `the database was migrated by a newer release of upr-tracker: its latest migration (of ${new Date(lastRecorded).toISOString()}) ` +
      `is not one this version knows (${recorded} applied; this version has ${journal.length}, the latest of ` +
      `${new Date(known).toISOString()}); nothing was changed: run that release or a newer one on it`,
  );
}
