import type Database from 'better-sqlite3';
import { canonicalInstruments, NOT_RATIFIABLE } from '../related/instruments.js';
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

/** The treaties a match key names (src/related/instruments.ts' tokens; bodies and topics left out). */
function treatiesOf(key: string): Set<string> {
  return new Set(canonicalInstruments(key).split(' ').filter((word) => word.startsWith('zz') && !NOT_RATIFIABLE.has(word)));
}

/** The words a list cut short may join its items with that the wording does not print ("the Optional Protocol of CAT"). */
const JOINING = new Set(['and', 'its', 'of', 'the', 'to']);

/**
 * True when `part` (a match key) names some of the treaties the official wording's match key names, and not all:
 * UPR Info's text for some items of a list, however few words the items left out take ("Sign and ratify CAT,
 * ICCPR, CED, OP-CEDAW and CRPD and its Optional Protocol" against "Sign and ratify OP-CEDAW and OP-CRPD"). A
 * text that names no treaty, or one the wording does not name, is left to the share of words; so is one with a
 * word of its own, beyond joining words: the same list printed otherwise ("OP-CAT" for the wording's "(CAT-OP)",
 * "OP.ICCPR" run together, a name misspelt) rather than cut (4 of the 48 records the rule moved on the whole
 * record, 2026-12-06, before this was asked).
 */
export function fewerTreaties(officialKey: string, part: string): boolean {
  const named = treatiesOf(part);
  if (named.size === 0) return false;
  const all = treatiesOf(officialKey);
  if (named.size >= all.size || ![...named].every((treaty) => all.has(treaty))) return false;
  const words = new Set(officialKey.split(' '));
  return part.split(' ').every((word) => words.has(word) || JOINING.has(word));
}

/** A state name as printed, resolved through the aliases table (as src/import/states.ts reads it), or undefined. */
export function stateNames(sql: Database.Database): ResolveName {
  const query = sql.prepare('select state_code from state_aliases where key = ?').pluck();
  return (name) => query.get(normalizeStateName(name)) as string | undefined;
}
