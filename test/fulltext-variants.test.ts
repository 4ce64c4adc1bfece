import t from 'tap';
import { toFtsQuery } from '../src/db/fulltext.js';
import { insertRecommendation } from './fixtures.js';
import { buildTestApp, getJson } from './helpers.js';

// q= finds a word however a record writes it, on both backends (session 43's audit of q= against the whole
// record: docs/reliability-probes.md): British and American spelling, a word hyphenated or joined, woman and
// women, a treaty's abbreviation and its name; and OR typed between terms matches either side. Before, `labor`
// found 19 records of 800, `nondiscrimination` 1 of 217, `woman` 37 of 5,199, `OPCAT` 25 of 653, and
// `death penalty OR capital punishment` none.

const TEXTS: Record<string, string> = {
  labour: 'Eradicate child labour in agriculture.',
  labor: 'Enforce the labor laws against child labor.',
  programme: 'Fund the national programme on health.',
  program: 'Fund the national program on education.',
  criminalise: 'Criminalise marital rape.',
  criminalize: 'Criminalize marital rape.',
  criminal: 'Reform the criminal code.',
  nondiscrimination: 'Adopt a law on nondiscrimination.',
  'non-discrimination': 'Adopt a law on non-discrimination.',
  anticorruption: 'Adopt an anticorruption strategy.',
  'anti-corruption': 'Adopt an anti-corruption strategy.',
  cooperation: 'Strengthen cooperation with the treaty bodies.',
  'co-operation': 'Strengthen co-operation with the treaty bodies.',
  women: 'Protect women from violence.',
  woman: 'Protect every woman from violence.',
  opcat: 'Ratify OPCAT.',
  'op-cat': 'Ratify the OP-CAT.',
  'opcat-name': 'Ratify the Optional Protocol to the Convention against Torture.',
  cedaw: 'Withdraw the reservations to CEDAW.',
  'cedaw-name': 'Withdraw the reservations to the Convention on the Elimination of All Forms of Discrimination against Women.',
  'death-penalty': 'Abolish the death penalty.',
  'capital-punishment': 'Abolish capital punishment.',
  death: 'Investigate every death in custody.',
};

const SEARCHES: [q: string, finds: string[]][] = [
  ['labor', ['labour', 'labor']],
  ['labour', ['labour', 'labor']],
  ['"child labor"', ['labour', 'labor']],
  ['child-labour', ['labour', 'labor']],
  ['program', ['programme', 'program']],
  ['programme', ['programme', 'program']],
  // American -ize finds British -ise; the stemmer makes `criminalize` `crimin`, as it makes `criminal`.
  ['criminalize', ['criminalise', 'criminalize', 'criminal']],
  // Not the other way: that would find `criminal` too.
  ['criminalise', ['criminalise']],
  ['nondiscrimination', ['nondiscrimination', 'non-discrimination']],
  ['non-discrimination', ['nondiscrimination', 'non-discrimination']],
  ['anticorruption', ['anticorruption', 'anti-corruption']],
  ['anti-corruption', ['anticorruption', 'anti-corruption']],
  ['cooperation', ['cooperation', 'co-operation']],
  ['co-operation', ['cooperation', 'co-operation']],
  ['woman', ['women', 'woman', 'cedaw-name']],
  ['women', ['women', 'woman', 'cedaw-name']],
  // A phrase's words keep their number.
  ['"protect women"', ['women']],
  ['OPCAT', ['opcat', 'op-cat', 'opcat-name']],
  ['OP-CAT', ['opcat', 'op-cat', 'opcat-name']],
  ['"Optional Protocol to the Convention against Torture"', ['opcat', 'op-cat', 'opcat-name']],
  ['CEDAW', ['cedaw', 'cedaw-name']],
  ['"Elimination of All Forms of Discrimination against Women"', ['cedaw', 'cedaw-name']],
  ['death penalty OR capital punishment', ['death-penalty', 'capital-punishment']],
  ['abolish AND penalty', ['death-penalty']],
  // In lower case, or with nothing on one side, they are words.
  ['death penalty or capital punishment', []],
  ['OR death', []],
  ['death OR', []],
];

t.test('q= finds the other spellings and forms of a word, and either side of an OR', async (t) => {
  const app = await buildTestApp(t);
  for (const [name, text] of Object.entries(TEXTS)) await insertRecommendation(app, { id: `V-${name}`, text });
  for (const [q, finds] of SEARCHES) {
    const { response, body } = await getJson(app, `/v1/recommendations?limit=500&q=${encodeURIComponent(q)}`);
    t.equal(response.statusCode, 200, q);
    const ids = body.data.map((r: { id: string }) => r.id).filter((id: string) => id.startsWith('V-'));
    t.same(ids.sort(), finds.map((name) => `V-${name}`).sort(), `q=${q}`);
  }
  // The same on developments (titles and summaries).
  const developments = async (q: string) =>
    (await getJson(app, `/v1/developments?q=${encodeURIComponent(q)}`)).body.data.map((d: { id: string }) => d.id) as string[];
  t.same(await developments('zzzzunmatched OR Askarov'), await developments('Askarov'), 'developments: either side of OR');
  t.ok((await developments('Askarov')).length > 0);
});

t.test('alternatives stay within FULL_TEXT_MAX_TERMS words, all terms together', async (t) => {
  t.equal(
    toFtsQuery('CEDAW ICCPR'),
    '("CEDAW" OR "elimination of all forms of discrimination against women") AND "ICCPR"',
    "CEDAW's name takes the 8 words: ICCPR's is left out, ICCPR still searched",
  );
  t.equal(toFtsQuery('labor*'), '"labor"*', 'a prefix has none');
  t.equal(toFtsQuery('death penalty OR capital'), '("death" AND "penalty") OR ("capital")');
  t.equal(toFtsQuery('torture torture OR torture'), '("torture") OR ("torture")', 'repeats count once on each side');
  t.throws(() => toFtsQuery('one two three four OR five six seven eight nine'), /9 words/, 'every side counts');
});
