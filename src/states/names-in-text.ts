// State names as UN documents print them inside a recommendation's text: the recommending states
// parenthesised at the end of each part ("… (France) (Lithuania);", "… (Ukraine); … (Slovakia);",
// "… (Venezuela (Bolivarian Republic of));"), from which the importer reads the recommenders
// (src/import/states.ts). A name is recognised by a function given (`resolve`, a name to its code), never
// guessed here.

/** A state name to its code (undefined: not a state's name). */
export type ResolveName = (name: string) => string | undefined;

/**
 * The balanced parenthesised groups at the end of a text ("… (No. 29) (United Kingdom of …);" →
 * ["No. 29", "United Kingdom of …"]), after an optional final ";", "." or ",". `body` is the text before them.
 */
export function trailingGroups(text: string): { body: string; groups: string[] } {
  let end = text.trimEnd().replace(/[;.,]$/, '').trimEnd().length;
  const groups: string[] = [];
  while (end > 0 && text[end - 1] === ')') {
    let depth = 0;
    let start = -1;
    for (let i = end - 1; i >= 0; i--) {
      if (text[i] === ')') depth++;
      else if (text[i] === '(' && --depth === 0) {
        start = i;
        break;
      }
    }
    if (start < 0) break; // unbalanced: not a group
    groups.unshift(text.slice(start + 1, end - 1).trim());
    end = text.slice(0, start).trimEnd().length;
  }
  return { body: text.slice(0, end).trimEnd(), groups };
}

/** The parts of a text split after each `separator` outside parentheses (each part keeps its separator). */
export function splitOutsideParentheses(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter((p) => p.trim() !== '');
}

/** A group's states (the importer's reading): the whole group as one name, else each comma-separated name when all resolve. */
export function resolveGroup(group: string, resolve: ResolveName): string[] | undefined {
  const whole = resolve(group);
  if (whole) return [whole];
  const parts = group.split(/\s*,\s*/).filter((p) => p !== '');
  if (parts.length < 2) return undefined;
  const codes = parts.map((p) => resolve(p));
  return codes.every((c) => c !== undefined) ? (codes as string[]) : undefined;
}
