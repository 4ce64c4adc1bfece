import t from 'tap';
import { hiddenCharacterMessage } from '../src/http/visible-text.js';
import { countRows, mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';

// A character no one sees in a name or an id sent to a write (a zero-width space, a no-break space, a line
// separator, a byte order mark), or a byte order mark inside any text of a JSON body: a 400 naming the field and
// the character, and nothing written (src/http/visible-text.ts, src/http/nul-guard.ts). Before, a state was
// created named "\u200bKosovo" with the aliases "Kosova\u00a0Rep" and "K\u2028x", a recommendation stored with
// the text "Hold\ufeff elections", and "KGZ-3\u200b" was a 422 "Unknown review id" that showed nothing wrong.

// Test names in ASCII: a raw line separator in one breaks the TAP stream.
const named = (body: unknown) => JSON.stringify(body).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const hidden = (code: string, at: number, name: string) => `holds U+${code} (${name}) at character ${at}, which no one can see: remove it`;
/** Errors without the value each quotes back (its escape said once below). */
const unquoted = <T extends { message: string }>(errors: T[]): T[] => errors.map((e) => ({ ...e, message: e.message.replace(/, given "[^"]*"$/, '') }));
const space = (code: string, at: number, name: string) => `holds U+${code} (${name}) at character ${at}, a space that is not the plain one: use a plain space`;

t.test("a state's name or alias with a character no one sees is refused, naming it; nothing is written", async (t) => {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin', 'admin');
  const create = (body: object) => send(app, 'POST', '/v1/states', { key: admin, body: { id: 'XKX', unMember: false, ...body } });
  const cases: [body: object, errors: { name: string; message: string }[]][] = [
    [{ name: '\u200bKosovo' }, [{ name: 'name', message: hidden('200B', 1, 'zero width space') }]],
    [{ name: 'Kos\u00adovo' }, [{ name: 'name', message: hidden('00AD', 4, 'soft hyphen') }]],
    [{ name: 'Kosovo', aliases: ['Kosova\u00a0Rep'] }, [{ name: 'aliases', message: space('00A0', 7, 'no-break space') }]],
    [{ name: 'Kosovo', aliases: ['K\u2028x', 'Ko\u2009s'] }, [
      { name: 'aliases', message: hidden('2028', 2, 'line separator') },
      { name: 'aliases', message: 'holds U+2009 at character 3, a space that is not the plain one: use a plain space' },
    ]],
    [{ name: 'Kos\u200dovo\u202e' }, [{ name: 'name', message: hidden('200D', 4, 'zero width joiner') }]],
    [{ name: 'Kos\tovo' }, [{ name: 'name', message: hidden('0009', 4, 'tab') }]],
  ];
  for (const [body, errors] of cases) {
    const { response, body: problem } = await create(body);
    t.equal(response.statusCode, 400, named(body));
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.same(unquoted(problem.errors), errors.map((e) => ({ in: 'body', ...e })), named(body));
  }
  // The value given is quoted with what no one sees escaped, as JSON escapes a tab.
  t.match((await create({ name: 'Kos\u00adovo', aliases: ['K\tx'] })).body.errors, [
    { name: 'name', message: `${hidden('00AD', 4, 'soft hyphen')}, given "Kos\\u00adovo"` },
    { name: 'aliases', message: `${hidden('0009', 2, 'tab')}, given "K\\tx"` },
  ]);
  t.equal(await countRows(app, 'states', "code = 'XKX'"), 0, 'no state written');
  // Spaces and byte order marks at either end are trimmed, as before; letters with accents are letters.
  const created = await create({ name: ' Kosovo\u00a0', aliases: ['Kosova', 'Kosovë', 'Kosovo i Metohija'] });
  t.equal(created.response.statusCode, 201);
  t.equal(created.body.name, 'Kosovo');
});

t.test('an id sent with a character no one sees is a 400 naming the field, not an unknown id', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const recommendation = (body: object) =>
    send(app, 'POST', '/v1/recommendations', {
      key,
      body: { reviewId: 'KGZ-3', text: 'Hold open and transparent elections.', verbatim: true, recommendingStates: ['FIN'], ...body },
    });
  const cases: [status: number, body: object, name: string, message: string][] = [
    [400, { reviewId: 'KGZ-3\u200b' }, 'reviewId', hidden('200B', 6, 'zero width space')],
    [400, { themes: ['\u2060torture'] }, 'themes', hidden('2060', 1, 'word joiner')],
    [400, { affectedPersons: ['women\u00a0'] }, 'affectedPersons', space('00A0', 6, 'no-break space')],
  ];
  for (const [status, body, name, message] of cases) {
    const { response, body: problem } = await recommendation(body);
    t.equal(response.statusCode, status, named(body));
    t.same(unquoted(problem.errors), [{ in: 'body', name, message }], named(body));
  }
  const assessment = await send(app, 'POST', '/v1/assessments', {
    key,
    body: { recommendationId: 'KGZ-3-FIN-1\u200e', status: 'implemented', assessedOn: '2021-01-01', rationale: 'R.', sources: [] },
  });
  t.match(unquoted(assessment.body.errors), [{ in: 'body', name: 'recommendationId', message: hidden('200E', 12, 'left-to-right mark') }]);
  const development = await send(app, 'POST', '/v1/developments', {
    key,
    body: { title: 'Arrest\u200b', recommendationIds: ['KGZ-3-FIN-1\u200b'] },
  });
  t.equal(development.response.statusCode, 400);
  const said = unquoted(development.body.errors as { name: string; message: string }[]).filter((e) => e.message.startsWith('holds'));
  t.same(Object.fromEntries(said.map((e) => [e.name, e.message])), {
    title: hidden('200B', 7, 'zero width space'),
    recommendationIds: hidden('200B', 12, 'zero width space'),
  });
  t.equal(await countRows(app, 'developments', 'title like ?', ['Arrest%']), 0, 'no development written');
});

t.test('a byte order mark inside any text of a JSON body is a 400; the record is as it was', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  const etag = before.response.headers.etag as string;
  for (const [body, name] of [
    [{ text: 'Hold\ufeff elections.' }, 'text'],
    [{ text: '\ufeffHold elections.' }, 'text'],
    [{ positionSource: 'A/HRC/44/9\ufeff' }, 'positionSource'],
    [{ ['te\ufeffxt']: 'x' }, 'te\ufeffxt'],
  ] as const) {
    const patched = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', {
      key,
      body,
      headers: { 'if-match': etag, 'content-type': 'application/merge-patch+json' },
    });
    t.equal(patched.response.statusCode, 400, named(body));
    t.same(patched.body.errors, [{ in: 'body', name, message: 'must not contain a byte order mark (U+FEFF): no text holds one, it comes of joined files or copied text; remove it' }]);
  }
  // Escaped in the JSON text, in either case, as well as raw (a body's text is scanned before any is walked).
  for (const [payload, message] of [
    ['{"text":"Hold\\uFEFF elections."}', /byte order mark/],
    ['{"text":"Hold\\ufeff elections."}', /byte order mark/],
    ['{"text":"Hold\\u0000 elections."}', /NUL character/],
    ['{"text":"Hold\\uDBFF elections."}', /unpaired surrogate/],
  ] as const) {
    const response = await app.inject({
      method: 'PATCH',
      url: '/v1/recommendations/KGZ-3-FIN-1',
      headers: { authorization: `Bearer ${key}`, 'if-match': etag, 'content-type': 'application/merge-patch+json' },
      payload,
    });
    t.equal(response.statusCode, 400, payload);
    t.match(response.json().errors, [{ in: 'body', name: 'text', message }], payload);
  }
  // Other invisible characters are a free text's own business.
  const zeroWidth = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', {
    key,
    body: { text: 'Hold\u200b elections\u00a0now.' },
    headers: { 'if-match': etag, 'content-type': 'application/merge-patch+json' },
  });
  t.equal(zeroWidth.response.statusCode, 200);
  t.equal(zeroWidth.body.text, 'Hold\u200b elections\u00a0now.');
});

t.test('the message names the character by its place in characters, not UTF-16 units', async (t) => {
  t.equal(hiddenCharacterMessage('😀\u200b'), hidden('200B', 2, 'zero width space'));
  t.equal(hiddenCharacterMessage('a\u{e0001}'), 'holds U+E0001 at character 2, which no one can see: remove it');
  t.equal(hiddenCharacterMessage('Kyrgyz Republic'), undefined);
});
