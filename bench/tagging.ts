import { parseArgs } from 'node:util';
import { type CommandOptions, exitOnHelpOrUsageError } from '../scripts/command-args.js';
import { taggingFigures } from './tagging-figures.js';

// `npm run bench:tagging [-- --eval] [--json]`: the tagger's speed with the shipped model — tagging ~70,000
// texts (UPR Info's 32k recommendations, twice over) and one text (µs) — and with --eval its held-out
// figures (trained on sessions 1–14, measured on 15–17; a few minutes).

const OPTIONS = { eval: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } satisfies CommandOptions;
exitOnHelpOrUsageError(OPTIONS, 'Usage: npm run bench:tagging [-- --eval] [--json]\n  The tagger\'s speed on UPR Info\'s texts; --eval also its held-out figures (minutes).');
const { values: args } = parseArgs({ options: OPTIONS });
const result = await taggingFigures(args.eval);
if (result === undefined) {
  process.stderr.write('No ../shared/data: nothing to tag.\n');
  process.exit(1);
}
if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  console.log(`Tagging ${result.texts} texts: ${result.corpusSeconds} s (${result.perRecordMicroseconds} µs per record, ${result.labels} labels)`);
  const h = result.heldOut;
  if (h) {
    console.log(`Held out (sessions 15–17): micro-F1 ${h.microF1.toFixed(3)} (target 0.90), macro-F1 ${h.macroF1.toFixed(3)} (target 0.85)`);
    for (const l of h.perLabel) console.log(`  ${l.label.padEnd(56)} F1 ${l.f1.toFixed(3)}`);
  }
}
