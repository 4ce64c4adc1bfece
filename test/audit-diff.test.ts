import t from 'tap';
import { diffRecords } from '../src/db/audit.js';

// A creation's audit changes (before null) are taken without comparing each field: they must be what the
// field-by-field comparison with a record of no fields gives.
t.test('a creation lists every field that is not null, as the comparison does', async (t) => {
  const after = {
    id: 'KGZ-1-12',
    paragraph: null,
    note: undefined,
    version: 1,
    zero: 0,
    notANumber: Number.NaN,
    empty: '',
    verbatim: false,
    themes: [],
    source: { id: 's' },
  };
  const created = diffRecords(null, after);
  t.same(created, diffRecords({}, after));
  t.same(Object.keys(created), ['id', 'version', 'zero', 'empty', 'verbatim', 'themes', 'source']);
  t.same(created.themes, { before: null, after: [] });
  t.same(diffRecords(null, null), {});
});
