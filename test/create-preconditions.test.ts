import t from 'tap';
import { countRows, mintKey, send } from './curation-helpers.js';
import { buildTestApp } from './helpers.js';

// If-None-Match on a create (RFC 9110 §13.1.2): the resource a POST targets is the record it would create. `*`
// asks that none be stored under its id, a tag that the stored one not be that version: a 412 that writes
// nothing, where the create of an id taken was a 409 whatever If-None-Match said (it was not read).

const BASE = { reviewId: 'KGZ-3', text: 'Ratify the Optional Protocol.', verbatim: false, recommendingStates: ['GBR'] };

t.test('a create under a stored id: * or its version named is a 412 that writes nothing; another version a 409', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write');
  const stored = await app.inject({ method: 'GET', url: '/v1/recommendations/KGZ-3-FIN-1', headers: { 'accept-encoding': 'gzip' } });
  const etag = stored.headers.etag as string;
  const rows = await countRows(app, 'recommendations');
  const changes = await countRows(app, 'audit_log');
  for (const header of ['*', etag, `W/${etag}`, `"v9-r1-i00000000", *`]) {
    const refused = await send(app, 'POST', '/v1/recommendations', { key, body: { ...BASE, id: 'KGZ-3-FIN-1' }, headers: { 'if-none-match': header } });
    t.equal(refused.response.statusCode, 412, `If-None-Match ${header}: 412`);
    t.match(refused.body, { status: 412, detail: /Recommendation "KGZ-3-FIN-1" is stored, at version 1, and If-None-Match/ });
    t.match(refused.response.headers.etag, /^"v1-r\d+-i[0-9a-f]{8}"$/, 'the stored version named');
  }
  const otherVersion = etag.replace(/^"v1-/, '"v2-');
  const taken = await send(app, 'POST', '/v1/recommendations', { key, body: { ...BASE, id: 'KGZ-3-FIN-1' }, headers: { 'if-none-match': otherVersion } });
  t.equal(taken.response.statusCode, 409, 'a tag of another version: the create fails as it would');
  const paragraph = await send(app, 'POST', '/v1/recommendations', { key, body: { ...BASE, paragraph: '6.1 (a)' }, headers: { 'if-none-match': '*' } });
  t.equal(paragraph.response.statusCode, 201, 'an id made of the paragraph, not stored: created');
  const again = await send(app, 'POST', '/v1/recommendations', { key, body: { ...BASE, paragraph: '6.1 (a)' }, headers: { 'if-none-match': '*' } });
  t.equal(again.response.statusCode, 412, 'and the same again: 412');
  t.equal(await countRows(app, 'recommendations'), rows + 1, 'one record written, by the one 201');
  t.equal(await countRows(app, 'audit_log'), changes + 1, 'one change in the log');

  const states = await send(app, 'POST', '/v1/states', { key: mintKey(app, 'admin', 'admin'), body: { id: 'KGZ', name: 'Kyrgyzstan again', regionalGroup: null, unMember: false, aliases: [] }, headers: { 'if-none-match': '*' } });
  t.equal(states.response.statusCode, 412, 'a state too (its code)');
  const review = await send(app, 'POST', '/v1/reviews', { key: mintKey(app, 'admin', 'admin2'), body: { stateUnderReview: 'KGZ', cycle: 3 }, headers: { 'if-none-match': '*' } });
  t.equal(review.response.statusCode, 412, 'a review (the state and the cycle)');
});

t.test('a create whose record is new goes ahead; a retried Idempotency-Key answers the first 201', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write');
  const generated = await send(app, 'POST', '/v1/recommendations', { key, body: BASE, headers: { 'if-none-match': '*' } });
  t.equal(generated.response.statusCode, 201, 'an id the server makes is never stored');
  const headers = { 'if-none-match': '*', 'idempotency-key': 'create-once-1' };
  const first = await send(app, 'POST', '/v1/recommendations', { key, body: { ...BASE, id: 'mine-1' }, headers });
  t.equal(first.response.statusCode, 201);
  // RFC 9110 §13.1.2 lets a server answer 2xx where it can tell the change asked for was made: the key's replay.
  const retried = await send(app, 'POST', '/v1/recommendations', { key, body: { ...BASE, id: 'mine-1' }, headers });
  t.equal(retried.response.statusCode, 201, 'a retry of the same request: its first answer');
  t.equal(retried.response.headers['idempotency-replayed'], 'true');
  const fresh = await send(app, 'POST', '/v1/recommendations', { key, body: { ...BASE, id: 'mine-1' }, headers: { 'if-none-match': '*' } });
  t.equal(fresh.response.statusCode, 412, 'without the key: the record is stored');
  const bad = await send(app, 'POST', '/v1/recommendations', { key, body: { ...BASE, id: 'mine-2', verbatim: 'no' }, headers: { 'if-none-match': '*' } });
  t.equal(bad.response.statusCode, 400, 'a bad body is refused as before');
});
