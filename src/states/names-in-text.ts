// State names as UN documents print them inside a recommendation's text: the recommending states
// parenthesised at the end of each part ("… (France) (Lithuania);", "… (Ukraine); … (Slovakia);",
// "… (Venezuela (Bolivarian Republic of));"). The importer reads the recommenders from them
// (src/import/states.ts); related recommendations leave them out of the text they compare (src/related/terms.ts).
// A name is recognised by a function given (`resolve`, a name to its code), never guessed here.

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

// A group's runs of whitespace are read as one space first: the separators' `\s*` and `\s+` below backtracked
// over a whole run from each of its starts (a group of 40,000 spaces in a written text: 1.8 s).
const singleSpaced = (text: string) => text.replace(/\s+/g, ' ');

/** A group's states (the importer's reading): the whole group as one name, else each comma-separated name when all resolve. */
export function resolveGroup(group: string, resolve: ResolveName): string[] | undefined {
  const whole = resolve(group);
  if (whole) return [whole];
  const parts = singleSpaced(group).split(/\s*,\s*/).filter((p) => p !== '');
  if (parts.length < 2) return undefined;
  const codes = parts.map((p) => resolve(p));
  return codes.every((c) => c !== undefined) ? (codes as string[]) : undefined;
}

/**
 * Whether a group is a list of state names only: as resolveGroup reads it, or also with the list forms
 * printed in the Terman corpus ("Ecuador and Spain", "Slovenia, Argentina, and Sweden", "Poland; Finland",
 * "Brazil/Spain", "the Netherlands"). A name joined by "and" ("Antigua and Barbuda") is tried whole first.
 */
export function isStateList(group: string, resolve: ResolveName): boolean {
  if (resolveGroup(group, resolve) !== undefined) return true;
  const known = (name: string) => resolve(name) !== undefined || resolve(name.replace(/^(?:and\s+)?(?:the\s+)?/i, '')) !== undefined;
  const parts = singleSpaced(group).split(/\s*[,;/]\s*/).filter((p) => p !== '');
  return (
    parts.length > 0 &&
    parts.every((part) => known(part) || (/\sand\s/i.test(part) && part.split(/\s+and\s+/i).every((name) => name !== '' && known(name))))
  );
}

/**
 * A part without a closing parenthesis left over at its end ("… (Kuwait). );", 631 texts of the Terman corpus):
 * its spaces, a ";", "." or ",", spaces, the ")" and the spaces before it. Read from the end (the regex it was,
 * /\s*\)\s*[;.,]?\s*$/, backtracked over a run of spaces from each of its starts: a text of 10,000 spaces
 * before ")x" cost 10^8 steps, at every write of it).
 */
export function withoutStrayParenthesis(part: string): string {
  const open = part.split('(').length;
  const close = part.split(')').length;
  if (close <= open) return part;
  let end = part.trimEnd().length;
  if (end > 0 && ';.,'.includes(part[end - 1]!)) end = part.slice(0, end - 1).trimEnd().length;
  return part[end - 1] === ')' ? part.slice(0, end - 1).trimEnd() : part;
}

/**
 * The text without the recommending states parenthesised at the end of each of its parts (split at ";"
 * outside parentheses: texts joined from several rows name a state after each), nor the ";" or "." after
 * them (nor a stray ")" after them). A group is left out only when it names states (isStateList); a group
 * before it that does not, and anything inside the text, stays ("Ratify OP-CAT (CAT) (France);" → "Ratify
 * OP-CAT (CAT)").
 */
export function withoutRecommenders(text: string, resolve: ResolveName): string {
  if (!text.includes(')')) return text;
  let changed = false;
  const parts = splitOutsideParentheses(text, ';').map((part) => {
    const { body, groups } = trailingGroups(withoutStrayParenthesis(part));
    let kept = groups.length;
    while (kept > 0 && isStateList(groups[kept - 1]!, resolve)) kept--;
    if (kept === groups.length) return part;
    changed = true;
    return [body, ...groups.slice(0, kept).map((group) => `(${group})`)].join(' ');
  });
  return changed ? parts.join(' ') : text;
}
