import { isUtf8 } from 'node:buffer';

// The characters an XML part of a .docx may hold. XML 1.0 allows tab, line feed, carriage return and the rest of
// Unicode but U+0000–U+001F's other controls, the surrogates (halves of a UTF-16 pair, no characters) and U+FFFE,
// U+FFFF, whether written raw or as a character reference ("&#x1;"); it allows U+007F–U+009F, controls too,
// which no text of a matrix holds (they come of text decoded in the wrong encoding). Each is refused, with where
// it is: shown to a user, a control is a box or nothing; dropped, as the parser dropped "&#0;", a character
// of the text is lost unsaid.

// (The u flag: \p{Cs} is a surrogate without its pair; a pair is one character.)
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|\p{Cs}/u;
const REFERENCE = /&#(?:x([0-9A-Fa-f]+)|([0-9]+));/y;
// A reference that is not one, as printed: up to its ";", or to what cannot be in one.
const PRINTED = /&#[^;<&\s]{0,10};?/y;
// The context printed before a fault: enough of its text to find it in the document.
const CONTEXT_CHARS = 40;

/** Why a character may not be in a part (its code point), or undefined when it may. */
function refusal(code: number): string | undefined {
  if (code === 0x09 || code === 0x0a || code === 0x0d) return undefined;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 'a control character, which no text holds';
  if (code >= 0xd800 && code <= 0xdfff) return 'half of a UTF-16 surrogate pair, which is no character';
  if (code === 0xfffe || code === 0xffff) return 'a noncharacter, which no text holds';
  return undefined;
}

const codePoint = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** 'at character 1234, after "…the text before it"': where `at` is, in characters from 1. */
function where(text: string, at: number): string {
  let characters = at + 1;
  for (let i = 0; i < at; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) characters--;
  }
  // The text before it, its tags left out (the end of a tag that the window cut, the start of one it is in), a
  // paragraph's end a space.
  const before = text
    .slice(Math.max(0, at - 20 * CONTEXT_CHARS), at)
    .replace(/^[^<]*>/, '')
    .replace(/<[^>]*$/, '')
    .replace(/<\/w:p>/g, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ');
  const context = before.length > CONTEXT_CHARS ? `…${before.slice(-CONTEXT_CHARS)}` : before;
  return `at character ${characters}${context.trim() === '' ? '' : `, after "${context}"`}`;
}

/** The first character XML does not allow, written raw in a part, and where: undefined when there is none. */
export function badCharacter(text: string): string | undefined {
  const match = FORBIDDEN.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!;
  return `${codePoint(code)} ${where(text, match.index)}: ${refusal(code)}`;
}

/** What is wrong with the character reference that starts at `at` ("&#…;"), or undefined when it is right. */
export function badReference(text: string, at: number): string | undefined {
  REFERENCE.lastIndex = at;
  const match = REFERENCE.exec(text);
  if (!match) {
    PRINTED.lastIndex = at;
    const printed = PRINTED.exec(text)![0];
    return `the character reference "${printed}" ${where(text, at)}: not a decimal or hexadecimal number ending in ";"`;
  }
  // (A number too long for a double is Infinity: past U+10FFFF as well.)
  const code = match[1] === undefined ? Number(match[2]) : parseInt(match[1], 16);
  const printed = match[0].length > 16 ? `${match[0].slice(0, 15)}…` : match[0];
  if (code > 0x10ffff) return `the character reference "${printed}" ${where(text, at)}: past U+10FFFF, the last Unicode character`;
  const why = refusal(code);
  return why === undefined ? undefined : `the character reference "${printed}" ${where(text, at)}: ${codePoint(code)}, ${why}`;
}

/**
 * Where a part's bytes are not the encoding it is read in, or undefined: read leniently, each such sequence became
 * U+FFFD and the character it was is lost unsaid. Looked for only when a strict reading fails.
 */
export function badBytes(bytes: Buffer, encoding: 'utf-8' | 'utf-16le' | 'utf-16be'): string | undefined {
  if (encoding === 'utf-8' ? isUtf8(bytes) : strictly(bytes, encoding)) return undefined;
  const text = new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes);
  // The first U+FFFD that the bytes do not spell: up to it, each character is its own bytes.
  let byte = 0;
  let index = 0;
  for (const char of text) {
    const length = encoding === 'utf-8' ? Buffer.byteLength(char) : 2 * char.length;
    const spelt = encoding === 'utf-8' ? bytes[byte] === 0xef && bytes[byte + 1] === 0xbf && bytes[byte + 2] === 0xbd : byte + 1 < bytes.length && bytes.readUInt16LE(byte) === (encoding === 'utf-16le' ? 0xfffd : 0xfdff);
    if (char === '\uFFFD' && !spelt) break;
    byte += length;
    index += char.length;
  }
  return `bytes that are not ${encoding === 'utf-8' ? 'UTF-8' : 'UTF-16'} ${where(text, index)}: read, they would be U+FFFD (\uFFFD), a character lost`;
}

function strictly(bytes: Buffer, encoding: 'utf-16le' | 'utf-16be'): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
