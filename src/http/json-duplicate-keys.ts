// A JSON object that gives a key twice ({"verbatim": false, "verbatim": true}) is valid JSON whose meaning RFC
// 8259 (section 4) leaves open: JSON.parse keeps the last value, another reader (a proxy that checks bodies, a
// log) may keep the first. Such a body was applied with its last value, silently; it is refused instead.

interface Level {
  /** The keys of an object so far; null for an array. */
  keys: Set<string> | null;
  /** An object's next string is a key (after "{" or ","), not a value (after ":"). */
  keyNext: boolean;
}

/** The end of the string whose opening quote is at `start`: the index of its closing quote. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  // A quote preceded by an odd number of backslashes is escaped.
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;

/** The first key one object of this JSON text (valid: parsed already) gives twice, decoded; undefined when none. */
export function duplicateJsonKey(text: string): string | undefined {
  const levels: Level[] = [];
  for (let at = 0; at < text.length; at += 1) {
    const char = text.charCodeAt(at);
    if (char === QUOTE) {
      const end = stringEnd(text, at);
      const level = levels.at(-1);
      if (level?.keys && level.keyNext) {
        // Decoded, so that "a" and "\u0061" are one key.
        const raw = text.slice(at + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (level.keys.has(key)) return key;
        level.keys.add(key);
        level.keyNext = false;
      }
      at = end;
    } else if (char === OPEN_OBJECT) levels.push({ keys: new Set(), keyNext: true });
    else if (char === OPEN_ARRAY) levels.push({ keys: null, keyNext: false });
    else if (char === CLOSE_OBJECT || char === CLOSE_ARRAY) levels.pop();
    else if (char === COMMA) {
      const level = levels.at(-1)!;
      if (level.keys) level.keyNext = true;
    }
  }
  return undefined;
}
