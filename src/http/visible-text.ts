import { z } from 'zod';

// Names and ids are read by people and matched by machines: a character no one sees in one (a zero-width space,
// a soft hyphen, a byte order mark, a direction mark, a line separator, a control) or a space that only looks
// like the plain one (U+00A0 no-break, U+2009 thin) makes a name that prints like another and an id that matches
// nothing: "​Kosovo" was stored as a state's name, "KGZ-3​" was an unknown review. (Free texts may hold them.)
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|[^\P{Zs} ]/u;
const SPACE = /\p{Zs}/u;

const NAMES: Record<string, string> = {
  '0009': 'tab',
  '000A': 'line feed',
  '000D': 'carriage return',
  '00A0': 'no-break space',
  '00AD': 'soft hyphen',
  '200B': 'zero width space',
  '200C': 'zero width non-joiner',
  '200D': 'zero width joiner',
  '200E': 'left-to-right mark',
  '200F': 'right-to-left mark',
  '2028': 'line separator',
  '2060': 'word joiner',
  FEFF: 'byte order mark',
};

/** What is wrong with a name or an id that holds a character no one sees, or a space that is not the plain one. */
export function hiddenCharacterMessage(text: string): string | undefined {
  const match = HIDDEN.exec(text);
  if (match === null) return undefined;
  const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  const named = `U+${code}${NAMES[code] ? ` (${NAMES[code]})` : ''}`;
  const at = [...text.slice(0, match.index)].length + 1;
  return SPACE.test(match[0])
    ? `holds ${named} at character ${at}, a space that is not the plain one: use a plain space`
    : `holds ${named} at character ${at}, which no one can see: remove it`;
}

/** The schema of a name or an id, refusing a character no one sees (see hiddenCharacterMessage). */
export function visible<T extends z.ZodType<string>>(schema: T): T {
  return schema.superRefine((text, ctx) => {
    const message = hiddenCharacterMessage(text);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  }) as T;
}
