import type { FastifyInstance, FastifyRequest } from 'fastify';
import { noteParsedJson } from './nul-guard.js';
import { HttpProblem } from './problem.js';

// JSON bodies are parsed by Fastify's own parser (secure-json-parse: a "__proto__" key, or a "constructor" key
// holding "prototype", is refused, as either could change how objects behave). Its refusals all said "Body is not
// valid JSON but content-type is set to 'application/json'": also of valid JSON with such a key, and of a merge
// patch; an empty body named application/json whatever was sent. Here each says what is wrong: where the JSON
// breaks, which key is refused, which media type came with no body.

type Done = (error: Error | null, body?: unknown) => void;
type JsonParser = (request: FastifyRequest, body: string, done: Done) => void;

const mediaType = (request: FastifyRequest) => request.headers['content-type']?.split(';')[0]!.trim().toLowerCase();

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

/** Fastify's JSON parser, refusing with a problem that says what is wrong. */
export function jsonBodyParser(app: FastifyInstance): JsonParser {
  const parse = app.getDefaultJsonParser('error', 'error') as unknown as JsonParser;
  return (request, body, done) => {
    // A request no route takes is a 404 or 405 whatever its body (src/http/problem.ts): nothing to parse.
    if (request.is404) return done(null);
    if (body.length === 0) {
      return done(
        new HttpProblem(400, `The body is empty, but its Content-Type says ${mediaType(request)}: send a JSON body, or no Content-Type.`),
      );
    }
    parse(request, body, (error, parsed) => {
      if (error) return done(refusal(body));
      noteParsedJson(body, parsed);
      done(null, parsed);
    });
  };
}

/** Parses application/json bodies with jsonBodyParser (merge patches: src/curation/plugin.ts). */
export function parseJsonBodies(app: FastifyInstance): void {
  const parser = jsonBodyParser(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
}
