import type Database from 'better-sqlite3';
import { normalizeStateName } from '../states/names.js';
import { isStateList, type ResolveName, withoutStrayParenthesis } from '../states/names-in-text.js';
import { matchKey } from './reconcile.js';

// Whether an official wording asks anything beyond a shorter text of another source: a text with fewer words
// is a part (src/import/reconcile.ts, wholeReadings) unless what the wording adds is framing alone. Measured on
// the whole record (2026-12-04): 17 of the 257 records the share rule alone called parts were the same
// request with a lead-in ("Recommended to South Africa to ratify the ICESCR": 3), the same text printed once per
// recommending state (11), a connective ("as well as to …"), a footnote number or the report's page furniture.

/** A state list in parentheses anywhere in the text ("… (France); … (Ecuador);"), with its footnote number ("(France)11"). */
const GROUP = /\(([^()]*)\)\d*/g;

/** A lead-in naming a State ("recommended to south africa to", "it was recommended that benin", "that benin"). */
const LEAD_IN =
  /^(?:(?:it (?:is|was) )?(?:recommended|recommends|called upon|calls upon|invited|invites|urged|urges|encouraged|encourages)(?: that| to)?|that) (.+?)(?: to)?$/;

/** What joins a request to its repeat or to what is before it. */
const CONNECTIVE = /^(?:(?:and |also |as well as )?(?:to )?(?:continue to )?)?$/;

/** The report's page furniture a corpus text took in (Netherlands 2012, 98.119). */
const FURNITURE = / ?annex english only end conclusions and or recommendations ?/g;

const escaped = (key: string) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * True when the official wording is `part` (a match key) once or several times, with nothing else but framing:
 * the states that made it in parentheses (with a footnote number after them), a lead-in naming a State before
 * it, connectives ("and", "to", "as well as", "continue to") and page furniture. Anything else (a second
 * object, a number of its own, a clause, a qualifier) and it stays a part: never guessed.
 */
export function framingOnly(official: string, part: string, resolve: ResolveName): boolean {
  if (part === '') return false;
  const text = withoutStrayParenthesis(official).replace(GROUP, (group, inside: string) => (isStateList(inside, resolve) ? ' ' : group));
  const segments = matchKey(text)
    .replace(FURNITURE, ' ')
    .split(new RegExp(`(?<![^ ])${escaped(part)}(?![^ ])`))
    .map((segment) => segment.trim());
  if (segments.length < 2) return false;
  const [before, ...after] = segments as [string, ...string[]];
  const lead = LEAD_IN.exec(before);
  const opening = lead && resolve(lead[1]!) !== undefined ? '' : before;
  return [opening, ...after].every((segment) => CONNECTIVE.test(segment === '' ? '' : `${segment} `));
}

/** A state name as printed, resolved through the aliases table (as src/import/states.ts reads it), or undefined. */
export function stateNames(sql: Database.Database): ResolveName {
  const query = sql.prepare('select state_code from state_aliases where key = ?').pluck();
  return (name) => query.get(normalizeStateName(name)) as string | undefined;
}
