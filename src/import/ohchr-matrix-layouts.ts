import type { Recommenders, StateResolver } from './states.js';

// The column layouts OHCHR's matrices have used, told apart by the table's header row:
// - 2nd/3rd cycle: Recommendation | Position | Full list of themes | Assessment …
// - 4th cycle (2023+): … | Full list of themes | Relevant SDGs | … ("Groups of Persons:" in the themes cell)
// - older: Recommendation | Recommending State/s | Position | Right or area | …
// A table without a header row is read in the first layout.

export interface Layout {
  recommendation: number;
  position: number;
  themes: number;
  sdgs?: number;
  states?: number;
}

export const DEFAULT_LAYOUT: Layout = { recommendation: 0, position: 1, themes: 2 };

// The first pattern a header cell matches gives its column's role ("Recommending state/s" before "Recommendation").
const ROLES: [keyof Layout, RegExp][] = [
  ['states', /^recommending\s+state|^states?\b/i],
  ['recommendation', /^recommendations?\b/i],
  ['position', /^(positions?|responses?)\b/i],
  ['sdgs', /\bSDGs?\b/i],
  ['themes', /\bthemes?\b|^right or area|^issues?\b/i],
];

/** The layout a header row gives, or undefined when the row is not a header. */
export function headerLayout(cells: string[]): Layout | undefined {
  const found: Partial<Layout> = {};
  cells.forEach((text, column) => {
    const role = ROLES.find(([, pattern]) => pattern.test(text))?.[0];
    if (role !== undefined && found[role] === undefined) found[role] = column;
  });
  const { recommendation, position, themes } = found;
  if (recommendation === undefined || position === undefined || themes === undefined) return undefined;
  return { ...found, recommendation, position, themes };
}

/** A heading row between entries: "Theme: A12 …" or the older "Right or area: 2.1. …". */
export function isHeading(firstCell: string): boolean {
  return /^(theme|right or area)\s*:/i.test(firstCell);
}

/**
 * The states of a "Recommending State/s" cell: one per line (or separated by commas or semicolons outside
 * parentheses); a line is split only when every part resolves, else it is kept as printed.
 */
export function statesInCell(lines: string[], resolver: StateResolver): Recommenders {
  const result: Recommenders = { codes: [], unresolved: [], warnings: [] };
  for (const line of lines) {
    const name = withoutTrailingPunctuation(line);
    if (name === '') continue;
    const whole = resolver.resolve(name);
    const codes = whole ? [whole] : partsOutsideParentheses(name).map((p) => resolver.resolve(p));
    if (codes.every((c) => c !== undefined)) {
      for (const code of codes as string[]) if (!result.codes.includes(code)) result.codes.push(code);
      continue;
    }
    result.unresolved.push(name);
  }
  return result;
}

// Both in one pass over the text (a regular expression here would cost the square of a long cell).
function withoutTrailingPunctuation(line: string): string {
  let end = line.length;
  while (end > 0 && ';,. '.includes(line[end - 1]!)) end--;
  return line.slice(0, end).trim();
}

/** A line's parts between commas or semicolons outside parentheses. */
function partsOutsideParentheses(line: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if ((c === ',' || c === ';') && depth === 0) {
      parts.push(line.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(line.slice(start).trim());
  return parts;
}
