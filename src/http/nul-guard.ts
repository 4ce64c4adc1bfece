import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import { type InvalidParam, invalidParams, MAX_LISTED_ERRORS } from './problem.js';
import { badQueryEscapes } from './query-escapes.js';
import { cutText, cutTextStart } from '../common/cut-text.js';

// A NUL character (U+0000) anywhere a request sends text is a 400 naming where, before a route reads it:
// PostgreSQL's text cannot hold one (a statement given one fails: it was a 500 for a path id or a filter value),
// SQLite's length() stops at it (a recommendation's text starting with one failed its length check: a 500 too),
// and no text the API keeps has one. Checked: path segments and query parameters (a URL carries a NUL only as
// %00) and every string of a JSON body, keys included. Raw bodies (imported files): the importers refuse a record
// with one as the write API would (src/import/validate.ts).
// So is an unpaired UTF-16 surrogate in a JSON body (the escape "\ud800" without its pair), which is no character:
// SQLite stored it as bytes that are not UTF-8 and read them back as three U+FFFD, PostgreSQL's driver writes one
// U+FFFD; either way the record kept was not the one sent. (A URL cannot carry one: its escapes are UTF-8 bytes,
// and a query parameter whose escapes are not is refused here too: query-escapes.ts.)

const NUL = '\u0000';
const UNPAIRED_SURROGATE = /\p{Cs}/u;
export const NUL_MESSAGE = 'must not contain a NUL character (U+0000, %00 in a URL)';
export const BYTE_ORDER_MARK_MESSAGE =
  'must not contain a byte order mark (U+FEFF): no text holds one, it comes of joined files or copied text; remove it';
export const SURROGATE_MESSAGE =
  'must be Unicode text: it holds an unpaired surrogate (an escape from "\\ud800" to "\\udfff" without its pair), which is no character';

/**
 * What keeps a text from being stored as it was sent: a NUL, an unpaired surrogate; and in a JSON body, a byte
 * order mark inside a text ("Hold\uFEFF elections" was stored so; at either end .trim() removed it). undefined for none.
 */
export type TextFault = 'nul' | 'surrogate' | 'bom';

function textFault(text: string, byteOrderMark: boolean): TextFault | undefined {
  if (text.includes(NUL)) return 'nul';
  if (byteOrderMark && text.includes('\uFEFF')) return 'bom';
  return UNPAIRED_SURROGATE.test(text) ? 'surrogate' : undefined;
}

const FAULT_MESSAGES: Record<TextFault, string> = { nul: NUL_MESSAGE, surrogate: SURROGATE_MESSAGE, bom: BYTE_ORDER_MARK_MESSAGE };

/** The name of a fault past the first ones named (never listed: a problem lists MAX_LISTED_ERRORS). */
export const UNNAMED_FAULT = '(not named)';
/** The longest name of a field with a fault; a longer one keeps its start and end around an ellipsis. */
export const MAX_FAULT_NAME = 200;

function shortened(name: string): string {
  // (Cut at code points: half an emoji is a lone surrogate, which a client's JSON parser reads as U+FFFD.)
  return name.length <= MAX_FAULT_NAME ? name : `${cutText(name, 100)}…${cutTextStart(name, MAX_FAULT_NAME - 101)}`;
}

/**
 * The fields of a value (a parsed JSON body, an imported record) holding a NUL or an unpaired surrogate in a
 * string or a key, named as validation names them: dotted keys, a list's item by the list ("themes"), an object
 * in one by its place ("sources.0.url"); "(the whole body)" for the value itself. Without recursion: a body of a few
 * kilobytes can nest thousands of levels deep.
 * Only the first `named` faults are named (the others are counted, named UNNAMED_FAULT), and a name is shortened to
 * MAX_FAULT_NAME characters: a name costs its depth to write out, and a body of 500 KB held 27,000 faults 62,500
 * levels deep, whose names (125 KB each, 3.4 GB in all) took the process's heap: it died (7.9 s of CPU at 250 KB).
 */
export function faultyTextFields(value: unknown, byteOrderMark = false, named = Infinity): { name: string; fault: TextFault }[] {
  const found: { name: string; fault: TextFault }[] = [];
  const nameOf = (name: () => string) => (found.length < named ? shortened(name()) : UNNAMED_FAULT);
  const pending: [value: unknown, path: string][] = [[value, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === 'string') {
      const fault = textFault(item, byteOrderMark);
      if (fault) found.push({ name: nameOf(() => path.replace(/(^|\.)\d+$/, '') || '(the whole body)'), fault });
    } else if (Array.isArray(item)) {
      // (Pushed last first: the fields come out, and are named, in the value's order.)
      for (let i = item.length - 1; i >= 0; i--) pending.push([item[i], path === '' ? `${i}` : `${path}.${i}`]);
    } else if (typeof item === 'object' && item !== null && !Buffer.isBuffer(item)) {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const name = path === '' ? key : `${path}.${key}`;
        const fault = textFault(key, byteOrderMark);
        if (fault) found.push({ name: nameOf(() => name), fault });
        else pending.push([child, name]);
      }
    }
  }
  return found;
}

// What a JSON text must hold for its parsed value to hold a fault: a NUL or a lone surrogate only as an escape (raw,
// the one is not JSON and the other not UTF-8), a byte order mark raw or as an escape. A body without any (nearly
// every one) is not walked: the walk cost 0.5-0.7 s for a 600 KB body of 300,000 short items, JSON.parse 0.05 s.
const MAY_HOLD_FAULT = /\\u(?:0000|[dD][89a-fA-F]|[fF][eE][fF][fF])|\uFEFF/;
const CLEAN_JSON_BODIES = new WeakSet<object>();

/** Called by the JSON body parser with each body it parsed: one whose text cannot hold a fault is not walked. */
export function noteParsedJson(text: string, parsed: unknown): void {
  if (typeof parsed === 'object' && parsed !== null && !MAY_HOLD_FAULT.test(text)) CLEAN_JSON_BODIES.add(parsed);
}

/** Each parameter of a parsed path or query string whose name or value holds a NUL. */
function parameters(values: unknown, where: 'path' | 'query', found: InvalidParam[]): void {
  for (const [name, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
    const texts = Array.isArray(value) ? value : [value];
    if (name.includes(NUL) || texts.some((text) => typeof text === 'string' && text.includes(NUL))) {
      found.push({ in: where, name, message: NUL_MESSAGE });
    }
  }
}

function refuseNul(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const found: InvalidParam[] = [];
  if (request.url.includes('%')) found.push(...badQueryEscapes(request.url));
  if (request.url.includes('%00')) {
    parameters(request.params, 'path', found);
    // (A parameter refused for its escapes already is not named twice.)
    const named = new Set(found.filter((param) => param.in === 'query').map((param) => param.name));
    const nul: InvalidParam[] = [];
    parameters(request.query, 'query', nul);
    found.push(...nul.filter((param) => !named.has(param.name)));
  }
  if (typeof request.body === 'object' && request.body !== null && !CLEAN_JSON_BODIES.has(request.body)) {
    for (const { name, fault } of faultyTextFields(request.body, true, MAX_LISTED_ERRORS)) {
      found.push({ in: 'body', name, message: FAULT_MESSAGES[fault] });
    }
  }
  done(found.length === 0 ? undefined : invalidParams(found));
}

/**
 * Refuses a NUL in the path, query or JSON body (and an unpaired surrogate in the body, escapes that are not UTF-8
 * in the query) of every route that takes any (registered after this call): the probes (/healthz, /readyz) take
 * none, and pay nothing.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema ?? {};
    if (schema.params === undefined && schema.querystring === undefined && schema.body === undefined) return;
    route.preValidation = [refuseNul, ...[route.preValidation ?? []].flat()] as RouteOptions['preValidation'];
  });
}
