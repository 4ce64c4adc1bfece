import { ImportLimitError } from './limits.js';
import { ImportError } from './types.js';

// One linear pass over an XML part before it is parsed: the parser builds a tree of every element, so its
// cost is bounded here first. Refused: a document type declaration (a DTD can declare entities that expand
// or reach outside the file: a .docx never needs one), elements nested deeper than the limit, tags that do
// not match (a cut-off or malformed part), and more elements than the file's budget.

export interface XmlBudget {
  /** Elements the file may still hold, all its parts together. */
  elements: number;
  readonly maxElements: number;
  readonly maxDepth: number;
}

const TAG_NAME = /[^\s/>]+/y;

/** Where a tag that starts at `from` ends: its ">" outside quoted attribute values, or -1. */
function tagEnd(text: string, from: number): number {
  let quote = '';
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

export function checkXml(text: string, part: string, budget: XmlBudget): void {
  const malformed = (what: string) => new ImportError(`Not a readable .docx: ${part} is not well-formed XML (${what}).`);
  const after = (close: string, from: number) => {
    const at = text.indexOf(close, from);
    if (at < 0) throw malformed(`a comment, CDATA section or processing instruction is never closed`);
    return at + close.length;
  };
  const open: string[] = [];
  let i = text.indexOf('<');
  while (i >= 0) {
    let next: number;
    if (text.startsWith('<!--', i)) next = after('-->', i + 4);
    else if (text.startsWith('<![CDATA[', i)) next = after(']]>', i + 9);
    else if (text.startsWith('<?', i)) next = after('?>', i + 2);
    else if (text.startsWith('<!', i)) {
      throw new ImportError(
        `Not a readable .docx: ${part} declares a document type (DTD); entities and external references are not read.`,
      );
    } else {
      const end = tagEnd(text, i);
      if (end < 0) throw malformed('a tag is never closed');
      const closing = text[i + 1] === '/';
      TAG_NAME.lastIndex = closing ? i + 2 : i + 1;
      const name = TAG_NAME.exec(text)?.[0] ?? '';
      if (closing) {
        const expected = open.pop();
        if (expected !== name) throw malformed(`</${name}> where ${expected ? `</${expected}>` : 'no end tag'} was due`);
      } else {
        if (--budget.elements < 0) {
          throw new ImportLimitError(`The .docx holds more than ${budget.maxElements} XML elements; larger files are not read.`);
        }
        if (text[end - 1] !== '/') {
          open.push(name);
          if (open.length > budget.maxDepth) throw new ImportError(`Not a readable .docx: ${part} nests elements more than ${budget.maxDepth} deep.`);
        }
      }
      next = end + 1;
    }
    i = text.indexOf('<', next);
  }
  if (open.length > 0) throw malformed(`<${open.at(-1)}> is never closed`);
}
