import t from 'tap';
import { z } from 'zod';
import { cutText, cutTextStart } from '../src/common/cut-text.js';
import { matchesPrecision, periodOf } from '../src/common/dates.js';
import { slugify } from '../src/common/slug.js';
import { quoteGiven } from '../src/common/zod-messages.js';
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

t.test('a refused value is told in plain words: what is wrong, what is accepted, what was given (src/common/zod-messages.ts)', async (t) => {
  const long = 'é'.repeat(70);
  const cases: [z.ZodType, unknown, string][] = [
    [z.string(), undefined, 'Required: expected text'],
    [z.string(), 5, 'Wrong type: expected text, given the number 5'],
    [z.boolean(), 'yes', 'Wrong type: expected true or false, given the text "yes"'],
    [z.number(), true, 'Wrong type: expected a number, given true'],
    [z.object({}), ['x'], 'Wrong type: expected an object, given a list'],
    [z.array(z.string()), { a: 1 }, 'Wrong type: expected a list, given an object'],
    [z.int(), 1.5, 'Wrong type: expected a whole number, given the number 1.5'],
    [z.number(), null, 'Wrong type: expected a number, given null'],
    [z.bigint(), 1, 'Wrong type: expected bigint, given the number 1'],
    [z.enum(['a', 'b']), undefined, 'Required: expected one of "a" or "b"'],
    [z.enum(['a', 'b', 'c']), 'd', 'Not accepted: expected one of "a", "b" or "c", given "d"'],
    [z.literal('a'), long, `Not accepted: expected "a", given "${'é'.repeat(60)}…" (70 characters)`],
    [z.number().max(5), 6, 'Too big: expected at most 5, given 6'],
    [z.number().lt(5), 5, 'Too big: expected less than 5, given 5'],
    [z.number().min(1), 0, 'Too small: expected at least 1, given 0'],
    [z.number().gt(1), 1, 'Too small: expected more than 1, given 1'],
    [z.string().max(3), 'abcd', 'Too long: expected at most 3 characters, given 4 characters ("abcd")'],
    [z.string().length(2), 'abc', 'Too long: expected exactly 2 characters, given 3 characters ("abc")'],
    [z.string().max(3), long, `Too long: expected at most 3 characters, given 70 characters ("${'é'.repeat(60)}…")`],
    [z.string().min(1), '', 'Empty: expected at least 1 character'],
    [z.string().min(3), 'a', 'Too short: expected at least 3 characters, given 1 character ("a")'],
    [z.array(z.string()).min(1), [], 'Empty: expected at least 1 item'],
    [z.array(z.string()).min(2), ['a'], 'Too few: expected at least 2 items, given 1 item'],
    [z.array(z.string()).max(1), ['a', 'b'], 'Too many: expected at most 1 item, given 2 items'],
    [z.set(z.string()).max(1), new Set(['a', 'b']), 'Too many: expected at most 1 item'],
    [z.set(z.string()).min(2), new Set(['a']), 'Too few: expected at least 2 items'],
    [z.string().regex(/^a$/), 'b', 'Not in the accepted form, given "b"'],
    [z.url(), 'nope', 'Not a valid URL, given "nope"'],
    [z.email(), 'nope', 'Not a valid email, given "nope"'],
    [z.union([z.string(), z.number()]), null, 'Invalid input'],
  ];
  for (const [schema, value, message] of cases) t.equal(schema.safeParse(value).error?.issues[0]?.message, message, message);
  t.equal(z.string().max(1, 'its own').safeParse('ab').error?.issues[0]?.message, 'its own', "a schema's own message wins");
  t.equal(quoteGiven('x'.repeat(61), true), `"${'x'.repeat(60)}…"`, 'its length said elsewhere');
  t.equal(quoteGiven('\u0000'), '"\\u0000"', 'a control character escaped');
  t.equal(quoteGiven('a\u200bb\u00a0c d\u0085'), '"a\\u200bb\\u00a0c d\\u0085"', 'and one no one sees, but a plain space');
});
