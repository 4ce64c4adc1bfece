import { invalidParam } from '../http/problem.js';

// Turns a user's search text into an FTS5 query that cannot be a syntax error: every word must occur,
// "quoted words" form a phrase, and a trailing * makes a word a prefix. FTS5 operators typed by users
// (AND, OR, NEAR, column filters) are searched as plain words.
export function toFtsQuery(q: string): string {
  const terms: string[] = [];
  for (const match of q.matchAll(/"([^"]*)"|(\S+)/g)) {
    const phrase = match[1];
    const word = match[2];
    if (phrase !== undefined) {
      if (hasWordCharacter(phrase)) terms.push(quote(phrase));
    } else if (word !== undefined && hasWordCharacter(word)) {
      const prefix = word.endsWith('*');
      terms.push(quote(prefix ? word.slice(0, -1) : word) + (prefix ? '*' : ''));
    }
  }
  if (terms.length === 0) throw invalidParam('query', 'q', 'Give at least one word to search for.');
  return terms.join(' ');
}

function hasWordCharacter(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
