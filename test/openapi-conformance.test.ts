import { appendFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { type Case, type CaseOptions, readCases, writeCases } from './conformance/cases.js';
import { type Answer, mismatches, STABLE_HEADERS } from './conformance/check.js';
import { sequences, type Step, steps } from './conformance/sequences.js';
import { realValues } from './conformance/values.js';
import { fuzzAuthHeaders } from './fuzz/auth.js';
import { loadOperations, type Operation } from './fuzz/spec.js';
import { buildTestApp } from './helpers.js';

// Every operation of openapi.yaml against its own promises, with generated requests on the seed (Kyrgyzstan's
// review included): boundary, stored and generated values of each parameter, Unicode of every awkward kind,
// combinations of filters, each constraint broken one at a time, malformed bodies, missing and stale keys and
// preconditions. Each answer's status must be listed for its operation, its content type too, its body valid
// against that status's schema (Ajv), a refusal a problem naming what is wrong; HEAD must match GET, a GET asked
// twice the same bytes and ETag; a refused write must write nothing. CONFORMANCE_SEED and CONFORMANCE_SAMPLES
// change the cases (bench/openapi-conformance.mjs runs many seeds for minutes).

const SEED = Number(process.env.CONFORMANCE_SEED ?? 38);
const SAMPLES = Number(process.env.CONFORMANCE_SAMPLES ?? 1);

const app = await buildTestApp(t);
const operations = await loadOperations(new URL('../openapi.yaml', import.meta.url).pathname);
const options: CaseOptions = { seed: SEED, samples: SAMPLES, real: await realValues(app), auth: await fuzzAuthHeaders(app) };

async function send(request: Pick<Case, 'method' | 'url' | 'headers' | 'payload'>, method: string = request.method): Promise<Answer> {
  return app.inject({
    method: method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
}

const where = (c: Case) => `${c.op.id} [${c.kind} ${c.label}] ${c.method} ${c.url.slice(0, 300)}${c.payload === undefined ? '' : ` ${c.payload.slice(0, 200)}`}`;
const pick = (answer: Answer) => Object.fromEntries(STABLE_HEADERS.map((h) => [h, answer.headers[h]]));

/** The data revision: a refused write must leave it as it was. */
async function revision(): Promise<number> {
  return (await app.inject({ method: 'GET', url: '/v1/changes?limit=1' })).json().meta.revision as number;
}

function report(t: Test, found: string[], sent: number): void {
  t.comment(`${sent} requests, ${found.length} mismatches`);
  if (process.env.CONFORMANCE_OUT) appendFileSync(process.env.CONFORMANCE_OUT, found.map((f) => `${f}\n`).join(''));
  t.same(found.slice(0, 40), [], `no mismatch (${found.length} in all)`);
}

t.test(`reads: every GET operation (seed ${SEED})`, async (t) => {
  const found: string[] = [];
  let sent = 0;
  for (const op of operations.filter((o) => o.method === 'GET')) {
    for (const [index, c] of readCases(op, options).entries()) {
      const first = await send(c);
      sent++;
      const wrong = mismatches(op, c, first);
      // HEAD and a second GET: for every third case in the suite (each kind is met), for each in longer runs.
      if (SAMPLES === 1 && index % 3 !== 0) {
        if (wrong.length) found.push(`${where(c)}\n    ${wrong.join('\n    ')}`);
        continue;
      }
      const head = await send(c, 'HEAD');
      const again = await send(c);
      sent += 2;
      wrong.push(...mismatches(op, { ...c, method: 'HEAD' as 'GET' }, head).map((m) => `HEAD: ${m}`));
      if (head.statusCode !== first.statusCode) wrong.push(`HEAD ${head.statusCode}, GET ${first.statusCode}`);
      if (head.body !== '') wrong.push('HEAD sent a body');
      if (JSON.stringify(pick(head)) !== JSON.stringify(pick(first))) wrong.push(`HEAD's headers ${JSON.stringify(pick(head))} are not GET's ${JSON.stringify(pick(first))}`);
      if (first.statusCode < 300 && head.headers['content-length'] !== first.headers['content-length']) wrong.push('HEAD and GET differ in length');
      if (again.statusCode !== first.statusCode || again.body !== first.body || again.headers.etag !== first.headers.etag) wrong.push('asked twice, the answers differ');
      if (wrong.length) found.push(`${where(c)}\n    ${wrong.join('\n    ')}`);
    }
  }
  report(t, found, sent);
});

/** The documented example body of an operation's JSON request. */
function exampleOf(op: Operation): Record<string, unknown> | undefined {
  const media = op.body?.content['application/json'] as { example?: Record<string, unknown>; schema?: { example?: Record<string, unknown> } } | undefined;
  return media?.example ?? media?.schema?.example;
}

t.test(`refused writes: every write operation (seed ${SEED})`, async (t) => {
  const found: string[] = [];
  let sent = 0;
  const before = await revision();
  for (const op of operations.filter((o) => o.method !== 'GET')) {
    for (const c of writeCases(op, options, exampleOf(op))) {
      const answer = await send(c);
      sent++;
      const wrong = mismatches(op, c, answer);
      if (wrong.length) found.push(`${where(c)}\n    ${wrong.join('\n    ')}`);
    }
  }
  t.equal(await revision(), before, 'nothing was written');
  report(t, found, sent);
});

/** The operation serving `method` at a filled path. */
function operationAt(method: string, path: string): Operation {
  const segments = path.split('/');
  return operations.find((o) => {
    const template = o.path.split('/');
    return o.method === method && template.length === segments.length && template.every((part, i) => part.startsWith('{') || part === segments[i]);
  })!;
}

t.test('sequences: create, patch, label, delete, the feed and restore, with and without keys and preconditions', async (t) => {
  const found: string[] = [];
  let sent = 0;
  const examples = (operationId: string) => exampleOf(operations.find((o) => o.id === operationId)!)!;
  for (const sequence of sequences(examples, options.real)) {
    const since = (await app.inject('/v1/changes?limit=1')).json().meta.revision as number;
    let id = String(sequence.create.id ?? '');
    let current = '';
    let stale = '"v999999-r1-i00000000"';
    for (const step of steps(sequence)) {
      const url = step.path.replace('{id}', encodeURIComponent(id));
      const headers: Record<string, string> = step.key === false ? {} : { ...options.auth };
      if (step.ifMatch) headers['if-match'] = step.ifMatch === 'current' ? current : step.ifMatch === 'stale' ? stale : '*';
      if (step.ifNoneMatch) headers['if-none-match'] = step.ifNoneMatch === 'current' ? current : '*';
      if (step.idempotencyKey) headers['idempotency-key'] = step.idempotencyKey;
      const body = step.body === 'create' ? sequence.create : step.body === 'patch' ? sequence.patch : undefined;
      const answer = await app.inject({ method: step.method, url, headers, ...(body ? { payload: body as object } : {}) });
      sent++;
      const op = operationAt(step.method === 'HEAD' ? 'GET' : step.method, url);
      const wrong = mismatches(op, { kind: step.status >= 400 ? 'invalid' : 'valid', method: step.method as 'GET' }, answer);
      if (answer.statusCode !== step.status) wrong.push(`expected ${step.status}`);
      if (step.label === 'create' && answer.statusCode === 201) id = decodeURIComponent(String(answer.headers.location).split('/').pop()!);
      if (step.method === 'GET' && answer.statusCode === 200 && !url.endsWith('/history') && answer.headers.etag !== current) {
        wrong.push(`a read's ETag ${String(answer.headers.etag)} is not the last write's ${current}`);
      }
      if (step.writes && answer.statusCode < 300) {
        if (answer.headers.etag === current) wrong.push('a write kept the ETag');
        [stale, current] = [current || stale, String(answer.headers.etag)];
      }
      if (wrong.length) found.push(`${sequence.resource} [${step.label}] ${step.method} ${url} → ${answer.statusCode} ${answer.body.slice(0, 300)}\n    ${wrong.join('\n    ')}`);
    }
    found.push(...(await feedMismatches(sequence.resource, id, since, steps(sequence))));
  }
  report(t, found, sent);
});

/** The change feed since `revision`: the record's create, each write's update, its delete, and the restoring create. */
async function feedMismatches(resource: string, id: string, revision: number, sent: Step[]): Promise<string[]> {
  const changes = [];
  for (let since = '', more = true; more; ) {
    const page = (await app.inject(`/v1/changes?entity=${resource}&limit=500${since ? `&since=${encodeURIComponent(since)}` : ''}`)).json();
    changes.push(...(page.data as { id: string; action: string; revision: number }[]));
    [since, more] = [page.meta.nextCursor, page.meta.hasMore];
  }
  const actions = changes.filter((c) => c.id === id && c.revision > revision).map((c) => c.action);
  const written = sent.filter((s) => s.writes || s.label === 'delete').map((s) => (s.label === 'delete' ? 'delete' : s.method === 'POST' ? 'create' : 'update'));
  return JSON.stringify(actions) === JSON.stringify(written) ? [] : [`${resource} ${id}: the feed says ${JSON.stringify(actions)}, the writes were ${JSON.stringify(written)}`];
}
