import t from 'tap';
import { cutText, cutTextStart } from '../src/common/cut-text.js';
import { matchesPrecision, periodOf } from '../src/common/dates.js';
import { slugify } from '../src/common/slug.js';
import { toFtsQuery } from '../src/db/fulltext.js';
import { paragraphSortKey } from '../src/recommendations/paragraph.js';
import { normalizeStateName } from '../src/states/names.js';

t.test('dates to a precision', async (t) => {
  t.ok(matchesPrecision('2020', 'year'));
  t.ok(matchesPrecision('2020-06', 'month'));
  t.ok(matchesPrecision('2020-02-29', 'day'));
  t.notOk(matchesPrecision('2021-02-29', 'day'), 'no 29 February in 2021');
  t.notOk(matchesPrecision('2020-06', 'day'));
  t.notOk(matchesPrecision('2020-13', 'month'));
  t.same(periodOf('2020', 'year'), { start: '2020-01-01', end: '2020-12-31' });
  t.same(periodOf('2020-02', 'month'), { start: '2020-02-01', end: '2020-02-29' });
  t.same(periodOf('2020-06', 'month'), { start: '2020-06-01', end: '2020-06-30' });
  t.same(periodOf('2020-07-25', 'day'), { start: '2020-07-25', end: '2020-07-25' });
  t.throws(() => periodOf('2020-6', 'month'), RangeError);
});

t.test('paragraph numbers sort as printed', async (t) => {
  const printed = ['121.10', '121.9', '122.1', '121.1', '9.2'];
  t.same(
    printed.slice().sort((a, b) => (paragraphSortKey(a) < paragraphSortKey(b) ? -1 : 1)),
    ['9.2', '121.1', '121.9', '121.10', '122.1'],
  );
  t.ok(paragraphSortKey(null) > paragraphSortKey('99999.99'), 'unknown paragraphs last');
});

t.test('slugs and state name keys', async (t) => {
  t.equal(slugify('Freedom of opinion & expression & right to information'), 'freedom-of-opinion-and-expression-and-right-to-information');
  t.equal(slugify('Persons with disabilities: definition, general principles'), 'persons-with-disabilities-definition-general-principles');
  t.equal(normalizeStateName("Côte d'Ivoire"), normalizeStateName('cotedivoire'));
  t.equal(normalizeStateName('Bosnia & Herzegovina'), 'bosniaandherzegovina');
  t.equal(normalizeStateName(' Norway; '), 'norway');
});

t.test('a text cut for a message keeps surrogate pairs whole', async (t) => {
  t.equal(cutText('ab😀c', 3), 'ab', 'not half the emoji');
  t.equal(cutText('ab😀c', 4), 'ab😀');
  t.equal(cutText('abc', 5), 'abc');
  t.equal(cutText('😀', 0), '');
  t.equal(cutTextStart('a😀bc', 3), 'bc', 'from the end: not half the emoji either');
  t.equal(cutTextStart('a😀bc', 4), '😀bc');
  t.equal(cutTextStart('abc', 5), 'abc');
  t.equal(cutTextStart('😀', 0), '');
});

t.test('full-text queries cannot be syntax errors', async (t) => {
  t.equal(toFtsQuery('Askarov'), '"Askarov"');
  t.equal(toFtsQuery('"human rights" defender*'), '"human rights" "defender"*');
  t.equal(toFtsQuery('a"b'), '"a""b"');
  t.equal(toFtsQuery('"human righ*"'), '"human righ"*', 'a phrase ending in a prefix');
  t.equal(toFtsQuery('"human righ"*'), '"human righ"*', 'the * after the closing quote');
  t.equal(toFtsQuery('"human righ**"'), '"human righ"*');
  t.equal(toFtsQuery('"human righ*" human-righ* "human righ"'), '"human righ"* "human righ"', 'one term each');
  t.throws(() => toFtsQuery('tor*ure'), /"tor\*ure": a \* makes a prefix only at the end of a word or a phrase/);
  t.throws(() => toFtsQuery('"death *penalty"'), /"\"death \*penalty\"": a \*/);
  t.throws(() => toFtsQuery('"hu*"'), /"\"hu\*\"": a prefix needs at least 3/, 'the prefix of a phrase has the same minimum');
  t.equal(toFtsQuery('NEAR( OR'), '"NEAR(" "OR"');
  // A word FTS5 tokenizes otherwise decomposed (й as и and a breve) is looked up in both forms, with AND
  // written (FTS5 reads phrases side by side as AND, not an OR group); é is the same either way.
  const decomposedSvoj = 'свой'.normalize('NFD');
  t.equal(toFtsQuery('свой права'), `("свой" OR "${decomposedSvoj}") AND "права"`);
  t.equal(toFtsQuery(`${decomposedSvoj}*`), `("свой"* OR "${decomposedSvoj}"*)`, 'typed decomposed: the composed form too');
  t.equal(toFtsQuery('Côte'.normalize('NFD')), '"Côte"');
  // آ decomposed is ا, a mark FTS5 splits at, and خر: a prefix too short to look up, so not an alternative.
  t.equal(toFtsQuery('آخر*'), '"آخر"*');
  // إ decomposed is ا and a mark FTS5 splits at: ten of them would be ten words to look up, past FULL_TEXT_MAX_TERMS.
  t.equal(toFtsQuery('إ'.repeat(10)), `"${'إ'.repeat(10)}"`, 'no alternative of more words than the limit');
  t.throws(() => toFtsQuery('  !! "" '), /at least one word/);
});
