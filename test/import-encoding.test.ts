import t from 'tap';
import { readDecodedCsv } from '../src/import/csv-file.js';
import {
  analyseText,
  ContextCounter,
  decodeText,
  fixWindows1252,
  LineEndingCounter,
  NO_BREAK_SPACE_REPAIR,
  plausibility,
  repairCell,
  repairStep,
  repairText,
} from '../src/import/encoding.js';
import { bytesSource, macRoman, misencodedMacRoman, run, seededDb, TERMAN_STYLE_CSV, windows1252 } from './import-helpers.js';

const SAMPLE =
  'Ensure the State’s compliance with “the Paris Principles” (Côte d’Ivoire); ' +
  'strengthen the Defensoría del Pueblo towards the executive (Spain); the women’s rights unit — independent.';

/** A file decoded and repaired as the CSV readers do, each line a cell (the repairs a cell decides counted in `analysis`). */
async function decide(bytes: Uint8Array, chunkSize?: number) {
  const source = bytesSource(bytes, 'f', chunkSize);
  const analysis = await analyseText(() => source.chunks());
  let decoded = '';
  for await (const chunk of decodeText(source.chunks(), analysis.encoding)) decoded += chunk;
  const text = decoded
    .split(/(\r\n|\r|\n)/)
    .map((part, i) => (i % 2 === 1 ? part : repairCell(part, analysis, analysis)))
    .join('');
  return { analysis, text };
}

t.test('one repair step reads a character’s Windows-1252 byte as Mac Roman', async (t) => {
  t.equal(repairStep('Õ'), '’');
  t.equal(repairStep('Í'), 'Õ', 'Í → Õ → ’: two steps');
  t.equal(repairStep('Ó'), '”');
  t.equal(repairStep('Ò'), '“');
  t.equal(repairStep('™'), 'ô', 'C™te → Côte');
  t.equal(repairStep('a'), 'a', 'ASCII never changes');
  t.equal(repairStep('ı'), 'ı', 'a character Windows-1252 cannot encode stays');
  t.equal(fixWindows1252('\u0092\u0080\u0081x'), '’€\u0081x', 'bytes 0x80–0x9F as the WHATWG table says');
  t.equal(repairText('plain', new Map()), 'plain');
  t.equal(repairText('aÕs ı', new Map([['Õ', '’']])), 'a’s ı');
});

t.test('plausibility of a character between its neighbours', async (t) => {
  t.equal(plausibility('e', '’', 's'), 2, 'an apostrophe before s');
  t.equal(plausibility('d', '’', 'I'), 2, "d'Ivoire");
  t.equal(plausibility('r', '’', 'a'), -1, 'not an apostrophe inside "Defensor’a"');
  t.equal(plausibility('s', '’', ' '), 1, 'a plural possessive');
  t.equal(plausibility(' ', '’', ' '), 0);
  t.equal(plausibility(' ', '“', 'a'), 2);
  t.equal(plausibility('a', '“', ' '), -1);
  t.equal(plausibility('a', '”', ' '), 2);
  t.equal(plausibility(' ', '”', 'a'), -1);
  t.equal(plausibility('', '”', ''), -1);
  t.equal(plausibility(' ', '—', ' '), 1);
  t.equal(plausibility('ç', 'a', 'o'), 1, 'a lower-case letter inside a word');
  t.equal(plausibility('-', 'à', '-'), 1, 'a lone "à" is a word (vis-à-vis)');
  t.equal(plausibility('-', 'ö', '-'), 0, 'a lone "ö" is no word: it argues neither way');
  t.equal(plausibility(' ', '„', 'c'), 2, 'a low quote opens a quote');
  t.equal(plausibility('c', '„', ' '), -1);
  t.equal(plausibility('r', 'œ', 'a'), -1, 'œ never comes before a, e or o ("Charrœa")');
  t.equal(plausibility('c', 'œ', 'u'), 1, 'cœur');
  t.equal(plausibility('r', 'Õ', 's'), -1, 'a capital inside a word');
  t.equal(plausibility(' ', 'É', 'l'), 1, 'a capital starting a word');
  t.equal(plausibility(' ', 'É', ' '), 0);
  t.equal(plausibility('C', '™', 't'), -1, 'a symbol');
});

t.test('UTF-8 is read as UTF-8 and left alone', async (t) => {
  const { analysis, text } = await decide(new TextEncoder().encode(SAMPLE), 7);
  t.equal(analysis.encoding, 'utf-8');
  t.equal(analysis.repairSteps, 0);
  t.equal(analysis.repairs, 0);
  t.equal(text, SAMPLE, 'a multi-byte character split between chunks is decoded whole');
});

t.test('bytes that end inside a UTF-8 sequence are not UTF-8', async (t) => {
  const { analysis } = await decide(new Uint8Array([...new TextEncoder().encode('Côte d’Ivoire’s '), 0xe2, 0x80]));
  t.not(analysis.encoding, 'utf-8');
});

t.test('ASCII is UTF-8; a BOM is dropped', async (t) => {
  const { analysis, text } = await decide(new TextEncoder().encode('\uFEFFtext,to\n'));
  t.equal(analysis.encoding, 'utf-8');
  t.equal(text, 'text,to\n');
  const ascii = await decide(new TextEncoder().encode('a,b\r\n'));
  t.equal(ascii.analysis.encoding, 'utf-8');
  t.equal(ascii.analysis.lineEndings, 'CRLF');
});

t.test('Windows-1252 and Mac Roman are told apart by the whole file', async (t) => {
  const cp = await decide(windows1252(SAMPLE));
  t.equal(cp.analysis.encoding, 'windows-1252');
  t.equal(cp.text, SAMPLE);
  const mac = await decide(macRoman(SAMPLE), 5);
  t.equal(mac.analysis.encoding, 'macintosh');
  t.equal(mac.analysis.repairSteps, 0);
  t.equal(mac.text, SAMPLE);
});

t.test('text mis-encoded once (Õ for ’) is repaired in one step, and counted', async (t) => {
  const { analysis, text } = await decide(misencodedMacRoman(SAMPLE, 1), 3);
  t.equal(analysis.encoding, 'macintosh');
  t.equal(analysis.repairSteps, 1);
  t.equal(text, SAMPLE);
  t.same(analysis.repaired['Õ → ’'], 3);
  t.equal(analysis.repairs, Object.values(analysis.repaired).reduce((a, b) => a + b, 0));
});

t.test('text mis-encoded twice (Í for ’) is repaired in two steps; a third would break it', async (t) => {
  const { analysis, text } = await decide(misencodedMacRoman(SAMPLE, 2));
  t.equal(analysis.repairSteps, 2);
  t.equal(text, SAMPLE);
  t.equal(analysis.repaired['Í → ’'], 3);
});

t.test('a lone letter is repaired when the repair reads as a word: vis-ö-vis (twice mis-encoded) is vis-à-vis', async (t) => {
  const { analysis, text } = await decide(misencodedMacRoman(`${SAMPLE}\rthe judiciary vis-à-vis the executive`, 2));
  t.equal(analysis.repairSteps, 2);
  t.equal(text, `${SAMPLE}\rthe judiciary vis-à-vis the executive`, 'in a cell of its own: nothing else there proves a step');
  t.equal(analysis.repaired['ö → à'], 1, 'ö is what à becomes after two mis-encodings (à → ˆ → ö)');
});

t.test('a low quote mis-encoded once (ã) is repaired: ãcomfort women is „comfort women', async (t) => {
  const { analysis, text } = await decide(misencodedMacRoman(`${SAMPLE}\rthe so-called „comfort women.`, 1));
  t.equal(analysis.repairSteps, 1);
  t.equal(text, `${SAMPLE}\rthe so-called „comfort women.`);
  t.equal(analysis.repaired['ã → „'], 1);
});

t.test('œ where French never writes it is repaired: Charrœa (mis-encoded once) is Charrúa', async (t) => {
  const { analysis, text } = await decide(misencodedMacRoman(`${SAMPLE}\rthe Charrúa Nation (Bolivia)`, 1));
  t.equal(text, `${SAMPLE}\rthe Charrúa Nation (Bolivia)`);
  t.equal(analysis.repaired['œ → ú'], 1);
});

t.test('a character the file leaves open takes the steps its cell proves', async (t) => {
  // One step: "ó" becomes "—" and "í" becomes "’", both of which read as well as the letters here; the "‡"
  // (á) and "Ó" (”) of the same cell prove the step. A cell that escaped the mis-encoding keeps its dash, as
  // does one with nothing to prove a step.
  const base = 'the State’s “views” (Côte d’Ivoire); the women’s rights unit — independent.';
  const file = new Uint8Array([
    ...misencodedMacRoman(`${base}\r`, 1),
    ...misencodedMacRoman('the procedures against Mr. Tóásó\r', 1),
    ...misencodedMacRoman('the programs named Yo sí puedo” and Yo sí puedo seguir”\r', 1),
    ...macRoman('the law—established in Curaçao\r'),
    ...macRoman('the process—independent\r'),
  ]);
  const { analysis, text } = await decide(file);
  t.equal(analysis.repairSteps, 1);
  t.same([...analysis.open.keys()].sort(), ['—', '’']);
  t.equal(
    text,
    `${base}\rthe procedures against Mr. Tóásó\rthe programs named Yo sí puedo” and Yo sí puedo seguir”\r` +
      'the law—established in Curaçao\rthe process—independent\r',
  );
  t.equal(analysis.repaired['— → ó'], 2);
  t.equal(analysis.repaired['’ → í'], 2);
  t.equal(analysis.repairs, Object.values(analysis.repaired).reduce((a, b) => a + b, 0));
  t.equal(analysis.replacements.get('—'), undefined, 'character by character, the dash is left as printed');
});

t.test('a lone Â is a UTF-8 no-break space read as Windows-1252', async (t) => {
  const none = { replacements: new Map(), proven: new Map(), open: new Map() };
  const tally = { repairs: 0, repaired: {} as Record<string, number> };
  t.equal(repairCell('people (France).Â', none, tally), 'people (France).\u00a0', 'its no-break space trimmed away');
  t.equal(repairCell('5Â\u00a0% of Â the budget', none, tally), '5\u00a0% of \u00a0 the budget');
  t.equal(repairCell('Âge, ÂGE, voilÂ, Â«quoteÂ»', none, tally), 'Âge, ÂGE, voilÂ, Â«quoteÂ»', 'not alone: left');
  t.same(tally, { repairs: 3, repaired: { [NO_BREAK_SPACE_REPAIR]: 3 } });
  // In a Mac Roman file (no repair steps), as the Terman corpus's 2011 file prints it: a text ending in Â.
  const csv = macRoman(`text,to\r"${SAMPLE}",spain\r"78.26. Repeal all discriminatory provisions (France).Â",saintvincent\r`);
  const read = await readDecodedCsv(bytesSource(csv), () => ({ text: 0 }), {});
  const rows = [];
  for await (const batch of read.batches) rows.push(...batch);
  t.equal(read.encoding.encoding, 'macintosh');
  t.equal(rows[1]!.cells[0]!.trim(), '78.26. Repeal all discriminatory provisions (France).');
  t.same(read.encoding.repaired, { [NO_BREAK_SPACE_REPAIR]: 1 }, 'counted in the report');
  t.equal(read.encoding.repairs, 1);
});

t.test('each character takes the repair that reads best over the whole file', async (t) => {
  // Most of the file mis-encoded twice; one cell only once ("RapporteurÕs"); one cell never ("Curaçao").
  const twice = misencodedMacRoman('the State’s “views” and the women’s rights (Côte d’Ivoire); ', 2);
  const once = misencodedMacRoman('the Special Rapporteur’s report; ', 1);
  const clean = macRoman('assist Curaçao and Hissène Habré.');
  const { analysis, text } = await decide(new Uint8Array([...twice, ...once, ...clean]));
  t.equal(analysis.repairSteps, 2);
  t.equal(
    text,
    'the State’s “views” and the women’s rights (Côte d’Ivoire); the Special Rapporteur’s report; assist Curaçao and Hissène Habré.',
  );
  t.equal(analysis.repaired['Õ → ’'], 1, 'the singly mis-encoded apostrophe takes one step');
  t.notOk(Object.keys(analysis.repaired).some((k) => k.startsWith('ç') || k.startsWith('è') || k.startsWith('é')));
});

t.test('line endings: CR, CRLF, LF, mixed, none — also across chunks', async (t) => {
  const endings = async (text: string, chunkSize?: number) =>
    (await analyseText(() => bytesSource(text, 'f', chunkSize).chunks())).lineEndings;
  t.equal(await endings('a\rb\r'), 'CR');
  t.equal(await endings('a\r\nb\r\n', 2), 'CRLF', 'a CRLF split between chunks');
  t.equal(await endings('a\nb'), 'LF');
  t.equal(await endings('a\r\nb\rc\n'), 'mixed');
  t.equal(await endings('a,b'), 'none');
  const counter = new LineEndingCounter();
  counter.push(new Uint8Array([0x61, 0x0d]));
  t.equal(counter.result(), 'CR', 'a CR at the very end');
});

t.test('the context counter sees each non-ASCII character once, whatever the chunks', async (t) => {
  const whole = new ContextCounter();
  whole.push('aé b’s ü');
  whole.end();
  const pieces = new ContextCounter();
  for (const c of 'aé b’s ü') pieces.push(c);
  pieces.push('');
  pieces.end();
  pieces.end();
  t.same([...pieces.counts.values()], [...whole.counts.values()]);
  t.same(
    [...whole.counts.values()].map((e) => [e.prev, e.char, e.next]),
    [
      ['a', 'é', ' '],
      ['b', '’', 's'],
      [' ', 'ü', ''],
    ],
  );
});

t.test('a CSV in UTF-16 is refused as such, whatever its format (it was "the header lacks" its columns)', async (t) => {
  const db = seededDb(t);
  const csv = 'To,Text,From,Response,Action,Issue,Session\r\nKyrgyzstan,"Ratify the Optional Protocol",Finland,Accepted,4,Torture,8\r\n';
  const utf16 = (bigEndian: boolean, bom: boolean) => {
    const le = Buffer.from(`${bom ? '\uFEFF' : ''}${csv}`, 'utf16le');
    return bigEndian ? Uint8Array.from(le.swap16()) : Uint8Array.from(le);
  };
  const files = { 'little-endian': utf16(false, true), 'big-endian': utf16(true, true), 'little-endian, no BOM': utf16(false, false) };
  for (const [name, bytes] of Object.entries(files)) {
    for (const format of [undefined, 'upr-info', 'terman-csv', 'upr-tracker-csv'] as const) {
      await t.rejects(run(db, bytes, { format }), { name: 'ImportError', status: 422, message: /^The file is in UTF-16 .*save it as CSV in UTF-8/ }, `${name}, format ${format ?? 'detected'}`);
    }
  }
  t.match(await run(db, csv, { dryRun: true }), { recommendations: { created: 1 } }, 'the same file in UTF-8 is read');
});

t.test('a UTF-8 byte order mark before a file in Mac Roman (files joined: an Excel "CSV UTF-8" and a legacy one) is no part of the header', async (t) => {
  const plain = await run(seededDb(t), TERMAN_STYLE_CSV);
  const marked = await run(seededDb(t), Uint8Array.from([0xef, 0xbb, 0xbf, ...TERMAN_STYLE_CSV]));
  t.same(marked.recommendations, plain.recommendations, 'the same records (before: refused, "the header lacks \\"text\\"", read as "Ôªøtext")');
  t.equal(marked.encoding?.encoding, 'macintosh');
});

t.test('the byte order mark is dropped however the chunks cut it, and a file of fewer than three bytes is read whole', async (t) => {
  const marked = Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('text\n'), 0x8e]); // 0x8e: é in Mac Roman
  for (const chunkSize of [1, 2, 3, 4, 1 << 16]) {
    let text = '';
    for await (const chunk of decodeText(bytesSource(marked, 'f', chunkSize).chunks(), 'macintosh')) text += chunk;
    t.equal(text, 'text\né', `chunks of ${chunkSize} bytes`);
  }
  for (const bytes of [[0x8e], [0xef, 0xbb], []]) {
    let text = '';
    for await (const chunk of decodeText(bytesSource(Uint8Array.from(bytes), 'f', 1).chunks(), 'macintosh')) text += chunk;
    t.equal(text, new TextDecoder('macintosh').decode(Uint8Array.from(bytes)), `the bytes ${JSON.stringify(bytes)}`);
  }
});
