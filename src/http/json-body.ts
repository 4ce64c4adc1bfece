import type { FastifyInstance, FastifyRequest } from 'fastify';
import { duplicateJsonKey } from './json-duplicate-keys.js';
import { noteParsedJson } from './nul-guard.js';
import { HttpProblem } from './problem.js';
import { cutText } from '../common/cut-text.js';

// JSON bodies are parsed by Fastify's own parser (secure-json-parse: a "__proto__" key, or a "constructor" key
// holding "prototype", is refused, as either could change how objects behave). Its refusals all said "Body is not
// valid JSON but content-type is set to 'application/json'": also of valid JSON with such a key, and of a merge
// patch; an empty body named application/json whatever was sent. Here each says what is wrong: where the JSON
// breaks, which key is refused, which media type came with no body.

type Done = (error: Error | null, body?: unknown) => void;
type JsonParser = (request: FastifyRequest, body: Buffer, done: Done) => void;
type TextParser = (request: FastifyRequest, body: string, done: Done) => void;

const mediaType = (request: FastifyRequest) => request.headers['content-type']?.split(';')[0]!.trim().toLowerCase();

// JSON is UTF-8 (RFC 8259, 8.1). Bodies were read as text by Fastify, which decodes as Node does: a byte that is
// not UTF-8 became U+FFFD, and a Latin-1 "Café" was stored as "Caf\ufffd"; a charset said otherwise was ignored.
// So bodies are read as bytes here and decoded strictly (the byte order mark kept, as Fastify kept it).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The charset parameter of the request's media type, lower case and unquoted; undefined without one. */
function charsetOf(request: FastifyRequest): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(request.headers['content-type'] ?? '');
  return match?.[2]!.toLowerCase();
}

/**
 * Where bytes that are not UTF-8 begin: the first U+FFFD of a lenient decoding that the bytes do not spell
 * (EF BF BD), counting bytes as it goes (every character before it was decoded from what it spells). Their
 * length when every byte is UTF-8.
 */
export function firstNonUtf8Byte(bytes: Buffer): number {
  const text = bytes.toString('utf8');
  let offset = 0;
  let from = 0;
  for (let at = text.indexOf('\ufffd'); at >= 0; at = text.indexOf('\ufffd', at + 1)) {
    offset += Buffer.byteLength(text.slice(from, at));
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) return offset;
    offset += 3;
    from = at + 1;
  }
  return offset + Buffer.byteLength(text.slice(from));
}

/** How deep arrays and objects may nest in a JSON body: no body of this API nests more than 3 levels. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a JSON text opens arrays and objects more than `max` levels deep (strings skipped), read before it is
 * parsed: a body of 1 MB nested 500,000 levels deep cost 400 ms of CPU to parse and walk (125 KB: 43 ms), more
 * per byte the deeper it went. Stops at the first level beyond; a text that is not JSON is left to the parser.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let at = 0; at < text.length; at += 1) {
    const char = text.charCodeAt(at);
    if (char === 0x22) {
      // To the closing quote: a backslash escapes the character after it.
      for (at += 1; at < text.length && text.charCodeAt(at) !== 0x22; at += 1) if (text.charCodeAt(at) === 0x5c) at += 1;
    } else if (char === 0x5b || char === 0x7b) {
      if (++depth > max) return true;
    } else if (char === 0x5d || char === 0x7d) depth -= 1;
  }
  return false;
}

/** Why Fastify's parser refused a body that is not empty. */
function refusal(body: string): HttpProblem {
  try {
    JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
  } catch (error) {
    return new HttpProblem(400, `The body is not valid JSON: ${(error as Error).message}.`);
  }
  return new HttpProblem(
    400,
    'The body holds a key "__proto__", or a key "constructor" holding "prototype": such keys are refused (they could ' +
      'change how objects behave), and no field of this API has that name.',
  );
}

/** Fastify's JSON parser over UTF-8 bytes (parseAs: 'buffer'), refusing with a problem that says what is wrong. */
export function jsonBodyParser(app: FastifyInstance): JsonParser {
  const parse = app.getDefaultJsonParser('error', 'error') as unknown as TextParser;
  return (request, bytes, done) => {
    // A request no route takes is a 404 or 405 whatever its body (src/http/problem.ts): nothing to parse.
    if (request.is404) return done(null);
    const charset = charsetOf(request);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return done(
        new HttpProblem(
          415,
          `The body's charset, ${charset.slice(0, 40)}, is not UTF-8: send JSON in UTF-8 (RFC 8259, section 8.1), with no charset or charset=utf-8.`,
        ),
      );
    }
    let body: string;
    try {
      body = UTF8.decode(bytes);
    } catch {
      return done(
        new HttpProblem(
          400,
          `The body is not UTF-8 (the byte at offset ${firstNonUtf8Byte(bytes)} is not part of a UTF-8 character): JSON is exchanged in UTF-8 (RFC 8259, section 8.1).`,
        ),
      );
    }
    if (body.length === 0) {
      return done(
        new HttpProblem(400, `The body is empty, but its Content-Type says ${mediaType(request)}: send a JSON body, or no Content-Type.`),
      );
    }
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
      return done(
        new HttpProblem(
          400,
          `The body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep: send at most ${MAX_JSON_DEPTH} (no field of this API nests more than 3).`,
        ),
      );
    }
    parse(request, body, (error, parsed) => {
      if (error) return done(refusal(body));
      const twice = duplicateJsonKey(body);
      if (twice !== undefined) {
        return done(
          new HttpProblem(
            400,
            `The body gives the key ${cutText(JSON.stringify(twice), 200)} twice in one object: send each key once (JSON leaves open which value counts, RFC 8259, section 4).`,
          ),
        );
      }
      noteParsedJson(body, parsed);
      done(null, parsed);
    });
  };
}

/** Parses application/json bodies with jsonBodyParser (merge patches: src/curation/plugin.ts). */
export function parseJsonBodies(app: FastifyInstance): void {
  const parser = jsonBodyParser(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser);
}
