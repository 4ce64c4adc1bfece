import t from 'tap';
import { cycleOfSession, REVIEW_SESSIONS, SESSIONS, sessionOfReview, uprSession } from '../src/reference/sessions.js';

t.test('the session calendar: cycles, years, dates only where known', async (t) => {
  t.same(uprSession(8), { session: 8, cycle: 1, year: 2010, start: '2010-05-03', end: '2010-05-14' });
  t.same(uprSession(2), { session: 2, cycle: 1, year: 2008, start: null, end: null }, 'no date we are not sure of');
  t.same(uprSession(35), { session: 35, cycle: 3, year: 2020, start: '2020-01-20', end: '2020-01-31' });
  t.equal(uprSession(0), undefined);
  t.same([12, 13, 26, 27, 40, 41].map(cycleOfSession), [1, 2, 2, 3, 3, 4]);
  t.same(SESSIONS.map((s) => s.session), Array.from({ length: 47 }, (_, i) => i + 1), 'sessions 1–47, none missing');
  for (const s of SESSIONS) {
    if (s.start !== null) t.ok(s.start.startsWith(String(s.year)) && s.end! > s.start, `session ${s.session}: dates in its year`);
  }
  t.equal(sessionOfReview('KGZ', 1), 8);
  t.equal(sessionOfReview('DZA', 2), 13);
  t.equal(sessionOfReview('KGZ', 2), null, 'Kyrgyzstan’s second review (session 22) is after the calendar here');
  t.equal(sessionOfReview('XXX', 1), null);
  for (const [code, sessions] of Object.entries(REVIEW_SESSIONS)) {
    t.ok(sessions.every((s) => s >= 1 && s <= 17) && new Set(sessions.map(cycleOfSession)).size === sessions.length, `${code}: one session per cycle`);
  }
});
