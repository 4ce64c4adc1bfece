import t from 'tap';
import {
  csvCell,
  csvHeader,
  csvRows,
  describeColumns,
  negotiate,
  type CsvColumn,
} from '../src/http/formats.js';
import { buildTestApp } from './helpers.js';

t.test('negotiate: the Accept header picks among a route\'s formats', async (t) => {
  const all = ['json', 'csv', 'ndjson'] as const;
  t.equal(negotiate(undefined, all), 'json', 'no Accept header: JSON');
  t.equal(negotiate('  ', all), 'json', 'an empty Accept header: JSON');
  t.equal(negotiate('*/*', all), 'json', 'anything: JSON, the first format');
  t.equal(negotiate('text/csv', all), 'csv');
  t.equal(negotiate('TEXT/CSV; charset=utf-8', all), 'csv', 'case-insensitive, parameters other than q ignored');
  t.equal(negotiate('text/*', all), 'csv');
  t.equal(negotiate('application/x-ndjson', all), 'ndjson');
  t.equal(negotiate('application/*', all), 'json', 'a tie goes to the first format');
  t.equal(negotiate('application/json;q=0.5, text/csv', all), 'csv', 'the higher quality wins');
  t.equal(negotiate('text/csv;q=0.2, application/x-ndjson;q=0.9', all), 'ndjson');
  t.equal(negotiate('*/*;q=0.1, text/csv;q=0', all), 'json', 'q=0 refuses a type that */* would allow');
  t.equal(negotiate('text/csv;q=0, */*', ['csv'] as const), undefined, 'the most specific range decides');
  t.equal(negotiate('image/png', all), undefined);
  t.equal(negotiate('text/csv;q=nonsense', all), undefined, 'an unreadable quality counts as 0');
  t.equal(negotiate('garbage, text/csv', all), 'csv', 'a malformed range is skipped');
  t.equal(negotiate('text/csv; charset=latin1', all), undefined, 'every format is UTF-8: another charset matches none');
  t.equal(negotiate('text/csv; charset=ISO-8859-1, */*;q=0.1', all), 'json', 'so a wider range decides');
  t.equal(negotiate('text/csv; charset="utf-8"', all), 'csv');
  t.equal(negotiate('text/html, application/xhtml+xml, */*;q=0.8', all), 'json', "a browser's Accept: JSON");
});

t.test('csvCell: RFC 4180 quoting, formula neutralisation, numbers kept', async (t) => {
  t.equal(csvCell('plain'), 'plain');
  t.equal(csvCell(null), '');
  t.equal(csvCell(undefined), '');
  t.equal(csvCell(''), '');
  t.equal(csvCell('a, b'), '"a, b"');
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('two\nlines'), '"two\nlines"');
  t.equal(csvCell('two\r\nlines'), '"two\r\nlines"');
  t.equal(csvCell('Côte d’Ivoire, 日本'), '"Côte d’Ivoire, 日本"');
  for (const start of ['=', '+', '-', '@']) t.equal(csvCell(`${start}1+1`), `'${start}1+1`, `text starting with ${start}`);
  t.equal(csvCell('\tTAB'), "'\tTAB", 'tab');
  t.equal(csvCell('\rCR'), `"'\rCR"`, 'carriage return: neutralised, then quoted');
  t.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  t.equal(csvCell("'quoted"), "''quoted", 'a leading apostrophe is doubled, so that removing one is exact');
  t.equal(csvCell('a=b'), 'a=b', 'only the first character matters');
  t.equal(csvCell(-5), '-5', 'a negative number stays a number');
  t.equal(csvCell(3.5), '3.5');
  t.equal(csvCell(0), '0');
  t.equal(csvCell(true), 'true');
  t.equal(csvCell(false), 'false');
  t.equal(csvCell(['FIN', 'ESP']), 'FIN; ESP', 'multi-valued: joined by "; "');
  t.equal(csvCell([5, 16]), '5; 16');
  t.equal(csvCell([]), '');
  t.equal(csvCell(['-x', 'y']), "'-x; y", 'a joined cell is one text');
});

t.test('csvHeader, csvRows and describeColumns', async (t) => {
  const columns: CsvColumn<{ a: string; n: number }>[] = [
    { name: 'a', description: 'The a | pipe.', value: (r) => r.a },
    { name: 'n', description: 'A number.', value: (r) => r.n },
    { name: 'url', description: 'Where.', value: (r, c) => `${c.origin}/x/${r.a}` },
  ];
  t.equal(csvHeader(columns), 'a,n,url\r\n');
  t.equal(
    csvRows(columns, [{ a: 'x,y', n: -1 }, { a: '=z', n: 2 }], { origin: 'http://h' }),
    '"x,y",-1,"http://h/x/x,y"\r\n\'=z,2,http://h/x/=z\r\n',
  );
  t.equal(csvRows(columns, [], { origin: '' }), '');
  t.equal(
    describeColumns(columns),
    '| column | meaning |\n| --- | --- |\n| `a` | The a \\| pipe. |\n| `n` | A number. |\n| `url` | Where. |',
  );
});

t.test('format negotiation over HTTP: ?format= wins over Accept; Vary: Accept; 406', async (t) => {
  const app = await buildTestApp(t);
  const get = (url: string, accept?: string) =>
    app.inject({ method: 'GET', url, headers: accept === undefined ? {} : { accept } });
  const type = (response: { headers: Record<string, unknown> }) => String(response.headers['content-type']);

  for (const resource of ['recommendations', 'developments', 'statements', 'reviews', 'states']) {
    const url = `/v1/${resource}`;
    const json = await get(url);
    t.match(type(json), /^application\/json/, `${resource}: JSON by default`);
    t.match(json.headers.vary, /\bAccept\b/, `${resource}: Vary: Accept`);
    t.match(type(await get(url, 'text/csv')), /^text\/csv/, `${resource}: Accept: text/csv`);
    t.match(type(await get(url, 'application/x-ndjson')), /^application\/x-ndjson/, `${resource}: NDJSON`);
    t.match(type(await get(`${url}?format=csv`, 'application/json')), /^text\/csv/, `${resource}: ?format= wins`);
    t.match(type(await get(`${url}?format=json`, 'text/csv')), /^application\/json/, `${resource}: ?format=json wins`);
    t.match(type(await get(`${url}?format=ndjson`, 'image/png')), /^application\/x-ndjson/, `${resource}: even over a bad Accept`);

    const refused = await get(url, 'image/png, text/html');
    t.equal(refused.statusCode, 406, `${resource}: 406 when Accept allows none of the formats`);
    t.match(type(refused), /^application\/problem\+json/);
    t.equal(refused.json().status, 406);
    t.match(refused.json().detail, /text\/csv/, 'the problem names the available types');
    t.match(refused.headers.vary, /\bAccept\b/, 'Vary: Accept on the 406 too');
  }

  const latin1 = await get('/v1/recommendations', 'text/csv; charset=latin1');
  t.equal(latin1.statusCode, 406, 'a CSV in another charset than UTF-8 is not served (it would be read as mojibake)');
  t.match(latin1.json().detail, /in UTF-8/);
  t.equal((await get('/v1/recommendations?format=csv', 'text/csv; charset=latin1')).statusCode, 200, '?format= still wins');

  const bad = await get('/v1/recommendations?format=xlsx');
  t.equal(bad.statusCode, 400, 'an unknown format is a 400 naming the parameter');
  t.equal(bad.json().errors[0].name, 'format');

  // A read that answers JSON alone refuses an Accept header that allows no JSON as the lists do, rather than
  // answer JSON to `Accept: text/csv` (saved as a .csv, with a 200); any other Accept gets JSON.
  for (const url of ['/v1/themes', '/v1/sdgs', '/v1/affected-persons', '/v1/recommendations/KGZ-3-FIN-1', '/v1/states/KGZ',
    '/v1/recommendations/KGZ-3-FIN-1/related', '/v1/recommendations/KGZ-3-FIN-1/history', '/v1/changes', '/v1/reviews/KGZ-3/summary']) {
    for (const method of ['GET', 'HEAD'] as const) {
      const refused = await app.inject({ method, url, headers: { accept: 'text/csv' } });
      t.equal(refused.statusCode, 406, `${method} ${url}: Accept: text/csv is a 406`);
      t.match(type(refused), /^application\/problem\+json/, `${method} ${url}: a problem`);
    }
    t.match((await get(url, 'text/csv')).json().detail, /application\/json only/, `${url}: the problem names the type`);
    for (const accept of [undefined, '*/*', 'application/json', 'text/html, application/xhtml+xml, */*;q=0.8', 'application/*']) {
      const answered = await get(url, accept);
      t.equal(answered.statusCode, 200, `${url} Accept: ${accept}: 200`);
      t.match(type(answered), /^application\/json/, `${url} Accept: ${accept}: JSON`);
    }
  }
  t.equal((await get('/v1/themes?format=csv')).statusCode, 400, 'format is no parameter of a JSON-only read: a 400 naming it');
  // …and says so in its OpenAPI responses, as the lists do: a generated client expects the 406 it may get.
  const document = app.swagger() as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const undocumented = Object.entries(document.paths)
    .filter(([path, operations]) => path.startsWith('/v1/') && operations.get && !('406' in operations.get.responses))
    .map(([path]) => path);
  t.same(undocumented, [], 'every read of /v1/ documents its 406');

  const stats = await get('/v1/stats/recommendations?groupBy=position', 'application/x-ndjson');
  t.equal(stats.statusCode, 406, 'stats answer in JSON and CSV only');
  const statsBad = await get('/v1/stats/recommendations?groupBy=position&format=ndjson');
  t.equal(statsBad.statusCode, 400, 'format=ndjson is not a stats format');
});
