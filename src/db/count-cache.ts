import type { Db } from './open.js';
import { currentRevision } from './revision.js';

// meta.total of a list, counted once per (data revision, normalised filter) and reused by every page of a
// walk through that list: the pages of one walk share the filter and, unless data changed meanwhile, the
// revision. A small LRU per connection; any write bumps the revision, so a stale count is never served.

/** Counts kept per connection. */
export const COUNT_CACHE_ENTRIES = 256;

const caches = new WeakMap<object, Map<string, number>>();

/** The filter as a canonical string: keys sorted, list values deduplicated and sorted, undefined left out. */
export function normaliseFilter(resource: string, filter: Record<string, unknown>): string {
  const entries = Object.keys(filter)
    .filter((key) => filter[key] !== undefined)
    .sort()
    .map((key) => {
      const value = filter[key];
      return [key, Array.isArray(value) ? [...new Set(value.map(String))].sort() : value];
    });
  return JSON.stringify([resource, entries]);
}

/** count() for this filter, or the count made earlier at the same data revision. */
export function cachedCount(db: Db, resource: string, filter: Record<string, unknown>, count: () => number): number {
  let cache = caches.get(db.$client);
  if (!cache) caches.set(db.$client, (cache = new Map()));
  const key = `${currentRevision(db)} ${normaliseFilter(resource, filter)}`;
  const known = cache.get(key);
  if (known !== undefined) {
    // Most recently used last.
    cache.delete(key);
    cache.set(key, known);
    return known;
  }
  const total = count();
  if (cache.size >= COUNT_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, total);
  return total;
}
