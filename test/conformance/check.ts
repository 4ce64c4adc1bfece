import type { JsonSchema } from '../fuzz/arbitraries.js';
import type { Operation } from '../fuzz/spec.js';
import { validate } from '../fuzz/validate.js';
import type { Case } from './cases.js';

// What every answer must be, by openapi.yaml: a status the operation lists, its content type, a body valid
// against that status's schema, and for a refusal a problem that names what was wrong.

export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}


const mediaType = (answer: Answer) => String(answer.headers['content-type'] ?? '').split(';')[0]!.trim();

/** What is wrong with an answer to `request` (the empty list when nothing is). */
export function mismatches(op: Operation, request: Pick<Case, 'kind' | 'names' | 'method'>, answer: Answer): string[] {
  const found: string[] = [];
  const status = answer.statusCode;
  if (status >= 500) found.push(`server error ${status}`);
  const declared = op.responses[String(status)];
  if (!declared) return [...found, `status ${status} is not listed for ${op.id}`];
  const type = mediaType(answer);
  const head = request.method === ('HEAD' as string);
  if (!declared.content) {
    if (answer.body !== '') found.push(`${status} has no documented body, but one was sent`);
  } else if (!declared.content[type]) {
    found.push(`content type "${type}" is not listed for ${status} (${Object.keys(declared.content).join(', ')})`);
  } else if (!head) {
    const schema = declared.content[type]!.schema;
    if (/^application\/(.+\+)?json$/.test(type) && schema) {
      const error = validate(schema, JSON.parse(answer.body));
      if (error) found.push(`body does not match the ${status} schema: ${error}`);
    } else if (type === 'application/x-ndjson') {
      const items = op.responses[String(status)]!.content!['application/json']?.schema?.properties?.data?.items;
      for (const line of answer.body.split('\n').filter(Boolean)) {
        const error = items ? validate(items, JSON.parse(line)) : null;
        if (error) {
          found.push(`an NDJSON line does not match the list's item schema: ${error}`);
          break;
        }
      }
    }
  }
  if (status >= 400 && status < 500) found.push(...problemMismatches(request, answer, head));
  if (request.kind === 'invalid' && (status < 400 || status >= 500)) found.push(`an invalid request got ${status}, not a 4xx`);
  if (request.kind === 'edge' && status >= 300 && status !== 304 && (status < 400 || status >= 500)) found.push(`got ${status}`);
  return found;
}

function problemMismatches(request: Pick<Case, 'names'>, answer: Answer, head: boolean): string[] {
  if (mediaType(answer) !== 'application/problem+json') return [`a ${answer.statusCode} is ${mediaType(answer)}, not application/problem+json`];
  if (head) return [];
  const problem = JSON.parse(answer.body) as { status: number; detail: string; errors?: { name: string }[] };
  const found: string[] = [];
  if (problem.status !== answer.statusCode) found.push(`the problem's status ${problem.status} is not the HTTP status`);
  const named = request.names;
  if (named && (answer.statusCode === 400 || answer.statusCode === 422)) {
    const says = problem.errors?.some((e) => named.some((n) => e.name === n || e.name.startsWith(`${n}.`) || e.name.startsWith(`${n}[`)));
    if (!says) found.push(`the problem does not name ${named.join(' or ')}: ${problem.detail}`);
  }
  return found;
}

/** Headers that must be equal between HEAD and GET, and between two GETs when nothing was written. */
export const STABLE_HEADERS = ['content-type', 'etag', 'cache-control', 'vary', 'content-disposition', 'link', 'content-encoding'];
