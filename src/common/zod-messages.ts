import { z } from 'zod';
import { cutText } from './cut-text.js';

// What a value refused by a schema is told, in plain words: what is wrong, what is accepted and what was given
// (quoted, cut when long). zod's own English spoke its internals: "Too big: expected string to have <=200
// characters", "Invalid option: expected one of "a"|"b"", "Invalid input: expected boolean, received number";
// none said what was sent. One map for every schema (the API's, an import's rows, the environment's); a
// message a schema gives itself still wins.

/** The longest text quoted back: a longer one keeps its first characters and says how long it was. */
const QUOTED_CHARS = 60;

/**
 * A text in double quotes, a character no one sees written as its escape (JSON escapes the controls; a zero
 * width space, a direction mark, a no-break space showed as nothing, or as a plain space).
 */
const quoted = (text: string) =>
  JSON.stringify(text).replace(/(?! )[\p{Cf}\p{Z}\u007f-\u009f]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);

/**
 * A text of the client's as a message shows it where it is a name (an unknown key, a path), without quotes: cut
 * when long (ending in …), its invisible characters escaped, as quoteGiven shows a value. A 20,000-character key
 * was echoed whole, twice, in its refusal (41 KB); a 6,000-character path in a 404 or a 414.
 */
export function shownGiven(text: string, max = QUOTED_CHARS): string {
  return text.length <= max ? quoted(text).slice(1, -1) : `${quoted(cutText(text, max)).slice(1, -1)}…`;
}

/**
 * A value quoted in a message: a text in double quotes (cut when long, and then its length said unless `sized`
 * says it already is), a number or a boolean as it is.
 */
export function quoteGiven(value: unknown, sized = false): string {
  if (typeof value === 'string') {
    if (value.length <= QUOTED_CHARS) return quoted(value);
    const cut = `"${shownGiven(value)}"`;
    return sized ? cut : `${cut} (${value.length.toLocaleString('en-US')} characters)`;
  }
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** A type as a user of the API knows it (zod's names, and JavaScript's for what was received). */
const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  date: 'a date',
  null: 'null',
};

const typeName = (type: string) => TYPE_NAMES[type] ?? type;

/** A value received where another type was expected: its type and, for a text, a number or a boolean, itself. */
function received(value: unknown): string {
  if (typeof value === 'string') return `the text ${quoteGiven(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value === 'number' ? 'the number' : ''} ${value}`.trim();
  return quoteGiven(value);
}

/** "a", "b" or "c". */
export function oneOf(values: readonly unknown[]): string {
  const quoted = values.map((value) => JSON.stringify(value));
  return quoted.length === 1 ? quoted[0]! : `one of ${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

const UNITS: Record<string, [string, string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  file: ['byte', 'bytes'],
};

const counted = (n: number | bigint, unit: [string, string]) => `${n.toLocaleString('en-US')} ${n === 1 ? unit[0] : unit[1]}`;

/** How big a text or a list given was: its length, and a text itself (cut). */
function sizeGiven(origin: string, value: unknown): string {
  const unit = UNITS[origin]!;
  const size = typeof value === 'string' || Array.isArray(value) ? value.length : undefined;
  if (size === undefined) return '';
  return `, given ${counted(size, unit)}${typeof value === 'string' && size > 0 ? ` (${quoteGiven(value, true)})` : ''}`;
}

type Issue = Parameters<z.core.$ZodErrorMap>[0];

/** The message of a zod issue, or undefined for zod's own (kinds no schema here raises). */
export function plainMessage(issue: Issue): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `Required: expected ${typeName(issue.expected)}`;
      return `Wrong type: expected ${typeName(issue.expected)}, given ${received(input)}`;
    case 'invalid_value':
      if (input === undefined) return `Required: expected ${oneOf(issue.values)}`;
      return `Not accepted: expected ${oneOf(issue.values)}, given ${quoteGiven(input)}`;
    case 'too_big': {
      const bound = `${issue.exact ? 'exactly' : issue.inclusive ? 'at most' : 'less than'}`;
      const unit = UNITS[issue.origin];
      if (unit === undefined) return `Too big: expected ${bound} ${issue.maximum}, given ${quoteGiven(input)}`;
      return `${unit[0] === 'character' ? 'Too long' : 'Too many'}: expected ${bound} ${counted(issue.maximum, unit)}${sizeGiven(issue.origin, input)}`;
    }
    case 'too_small': {
      const bound = `${issue.exact ? 'exactly' : issue.inclusive ? 'at least' : 'more than'}`;
      const unit = UNITS[issue.origin];
      if (unit === undefined) return `Too small: expected ${bound} ${issue.minimum}, given ${quoteGiven(input)}`;
      const size = typeof input === 'string' || Array.isArray(input) ? input.length : undefined;
      if (size === 0) return `Empty: expected ${bound} ${counted(issue.minimum, unit)}`;
      return `${unit[0] === 'character' ? 'Too short' : 'Too few'}: expected ${bound} ${counted(issue.minimum, unit)}${sizeGiven(issue.origin, input)}`;
    }
    case 'invalid_format':
      return issue.format === 'regex'
        ? `Not in the accepted form, given ${quoteGiven(input)}`
        : `Not a valid ${issue.format === 'url' ? 'URL' : issue.format}, given ${quoteGiven(input)}`;
    default:
      return undefined;
  }
}

z.config({ customError: plainMessage });
