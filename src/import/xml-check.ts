import { ImportLimitError } from './limits.js';
import { ImportError } from './types.js';
import { badCharacter, badReference } from './xml-characters.js';

// One linear pass over an XML part before it is parsed: the parser builds a tree of every element, so its
// cost is bounded here first. Refused: a document type declaration (a DTD can declare entities that expand
// or reach outside the file: a .docx never needs one), elements nested deeper than the limit, tags that do
// not match (a cut-off or malformed part), more elements than the file's budget, and a text between two tags
// longer than a table cell may be (the parser gathers a text one character at a time, each a new string:
// 32 million characters in one text took it 6.5 s; no paragraph, cell or title of a real matrix comes near).
// In a part whose attributes are read (`attributes`: the relationships), each attribute counts as an element
// of the budget (the parser builds an object property for each: 1–1.5 µs); elsewhere they are not read.
// Refused too, naming where: a character XML does not allow, raw or as a character reference ("&#x1;"), and a
// reference that is no number; the parser dropped "&#0;" or "&#xD800;" silently, kept "&#xFFFE;" as that
// character and "&#x110000;" or "&#x;" as printed (src/import/xml-characters.ts).

export interface XmlBudget {
  /** Elements the file may still hold, all its parts together. */
  elements: number;
  readonly maxElements: number;
  readonly maxDepth: number;
  /** The longest text between two tags (or CDATA section), in characters, an entity reference counting one. */
  readonly maxTextChars: number;
}

const TAG_NAME = /[^\s/>]+/y;

/**
 * Where a tag that starts at `from` ends (its ">" outside quoted attribute values, or -1), and how many
 * attributes it has (its "=" outside quoted values).
 */
function tagEnd(text: string, from: number): { end: number; attributes: number } {
  let attributes = 0;
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      // A quoted value, skipped in one step: nothing in it ends the tag.
      i = text.indexOf(c === 0x22 ? '"' : "'", i + 1);
      if (i < 0) return { end: -1, attributes };
    } else if (c === 0x3d) attributes++;
    else if (c === 0x3e) return { end: i, attributes };
  }
  return { end: -1, attributes };
}

// An entity reference's name is short: its ";" is looked for this far on, no further (looked for to the end of
// the part, a text of "&" without ";" cost n² steps: 200,000 of them in a 1.1 KB .docx held the event loop 2.6 s).
const MAX_REFERENCE_CHARS = 32;

/** The characters of text[from, to) once its entity references ("&amp;", "&#x1F600;") are read: at least this many. */
function textLength(text: string, from: number, to: number): number {
  let length = to - from;
  for (let i = text.indexOf('&', from); i >= 0 && i < to; i = text.indexOf('&', i + 1)) {
    const end = referenceEnd(text, i, Math.min(to - 1, i + MAX_REFERENCE_CHARS));
    if (end > i) {
      length -= end - i;
      i = end;
    }
  }
  return length;
}

/** The first ";" after `at`, up to `last` included; -1 when there is none. */
function referenceEnd(text: string, at: number, last: number): number {
  for (let i = at + 1; i <= last; i++) if (text.charCodeAt(i) === 0x3b) return i;
  return -1;
}

export function checkXml(text: string, part: string, budget: XmlBudget, { attributes = false } = {}): void {
  const malformed = (what: string) => new ImportError(`Not a readable .docx: ${part} is not well-formed XML (${what}).`);
  const after = (close: string, from: number) => {
    const at = text.indexOf(close, from);
    if (at < 0) throw malformed(`a comment, CDATA section or processing instruction is never closed`);
    return at + close.length;
  };
  const checkText = (from: number, to: number) => {
    if (to - from > budget.maxTextChars && textLength(text, from, to) > budget.maxTextChars) {
      throw new ImportLimitError(
        `${part} holds a text of more than ${budget.maxTextChars} characters between two tags: longer than a table cell ` +
          `may be; larger texts are not read.`,
      );
    }
  };
  const spend = (count: number) => {
    budget.elements -= count;
    if (budget.elements < 0) {
      throw new ImportLimitError(
        `The .docx holds more than ${budget.maxElements} XML elements${attributes ? ' (and attributes, in its relationships)' : ''}; larger files are not read.`,
      );
    }
  };
  const bad = badCharacter(text);
  if (bad) throw malformed(bad);
  // The next "&#" to check: the text between tags and the tags are checked in order, comments, CDATA sections
  // and processing instructions passed over (a reference means nothing there), each "&#" looked for once.
  let reference = text.indexOf('&#');
  const checkReferences = (from: number, to: number) => {
    for (; reference >= 0 && reference < to; reference = text.indexOf('&#', reference + 2)) {
      const fault = reference >= from ? badReference(text, reference) : undefined;
      if (fault) throw malformed(fault);
    }
  };
  const open: string[] = [];
  let i = text.indexOf('<');
  checkText(0, i < 0 ? text.length : i);
  checkReferences(0, i < 0 ? text.length : i);
  while (i >= 0) {
    let next: number;
    if (text.startsWith('<!--', i)) next = after('-->', i + 4);
    else if (text.startsWith('<![CDATA[', i)) {
      next = after(']]>', i + 9);
      checkText(i + 9, next - 3);
    } else if (text.startsWith('<?', i)) next = after('?>', i + 2);
    else if (text.startsWith('<!', i)) {
      throw new ImportError(
        `Not a readable .docx: ${part} declares a document type (DTD); entities and external references are not read.`,
      );
    } else {
      const tag = tagEnd(text, i);
      const end = tag.end;
      if (end < 0) throw malformed('a tag is never closed');
      checkReferences(i, end);
      const closing = text[i + 1] === '/';
      TAG_NAME.lastIndex = closing ? i + 2 : i + 1;
      const name = TAG_NAME.exec(text)?.[0] ?? '';
      if (closing) {
        const expected = open.pop();
        if (expected !== name) throw malformed(`</${name}> where ${expected ? `</${expected}>` : 'no end tag'} was due`);
      } else {
        spend(attributes ? 1 + tag.attributes : 1);
        if (text[end - 1] !== '/') {
          open.push(name);
          if (open.length > budget.maxDepth) throw new ImportError(`Not a readable .docx: ${part} nests elements more than ${budget.maxDepth} deep.`);
        }
      }
      next = end + 1;
    }
    i = text.indexOf('<', next);
    checkText(next, i < 0 ? text.length : i);
    checkReferences(next, i < 0 ? text.length : i);
  }
  if (open.length > 0) throw malformed(`<${open.at(-1)}> is never closed`);
}
