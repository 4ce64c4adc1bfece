import type { InvalidParam } from './problem.js';

// A query string's escapes spell UTF-8 bytes (RFC 3986, the WHATWG URL standard). The query parser
// (fast-querystring) keeps a name or value it cannot decode as it came, so `q=caf%E9` (Latin-1) searched for
// the six characters "caf%E9" and answered 200 with nothing found, and `q=torture%` searched for "torture%":
// answers to a question the client did not ask. A name or value holding a % that begins no escape, or escapes
// that are not UTF-8, is a 400 naming the parameter and the escape. (The router refuses such a path itself.)

const LONE_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
/** Escapes quoted in a message at most: a run may be a whole parameter long. */
const QUOTED_ESCAPES = 8;

const decodes = (text: string): boolean => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

/** What is wrong with a name or value as sent (its first fault), or undefined when it decodes. */
export function escapeFault(raw: string): string | undefined {
  if (decodes(raw)) return undefined;
  const lone = LONE_PERCENT.exec(raw);
  let run: RegExpExecArray | null;
  for (ESCAPE_RUN.lastIndex = 0; (run = ESCAPE_RUN.exec(raw)) !== null; ) {
    if (lone !== null && lone.index < run.index) break;
    if (decodes(run[0])) continue;
    const escapes = run[0].match(/%../g)!;
    const quoted = escapes.slice(0, QUOTED_ESCAPES).join('') + (escapes.length > QUOTED_ESCAPES ? '…' : '');
    return `"${quoted}" is not UTF-8: the escapes of a URL are UTF-8 bytes (é is %C3%A9, not %E9)`;
  }
  const sent = raw.slice(lone!.index, lone!.index + 3);
  return `"${sent}" is no escape: a % is followed by two hexadecimal digits, and a % sign itself is sent as %25`;
}

/** The name a parameter is known by: decoded when it decodes ("+" is a space), else as sent. */
const nameOf = (raw: string): string => {
  const spaced = raw.replaceAll('+', ' ');
  return decodes(spaced) ? decodeURIComponent(spaced) : raw;
};

/** Each parameter of a URL's query string whose name or value holds a % that is no escape or escapes that are not UTF-8. */
export function badQueryEscapes(url: string): InvalidParam[] {
  const start = url.indexOf('?');
  if (start === -1) return [];
  const found: InvalidParam[] = [];
  for (const part of url.slice(start + 1).split('&')) {
    if (!part.includes('%')) continue;
    const equals = part.indexOf('=');
    const [name, value] = equals === -1 ? [part, ''] : [part.slice(0, equals), part.slice(equals + 1)];
    const nameFault = escapeFault(name);
    const fault = nameFault === undefined ? escapeFault(value) : `its name: ${nameFault}`;
    if (fault !== undefined) found.push({ in: 'query', name: nameOf(name), message: fault });
  }
  return found;
}
