import { rmSync } from 'node:fs';
import { openDatabase } from '../src/db/open.js';
import { generateDatabase } from './generate.js';
import { realTexts } from './real-texts.js';

// The synthetic database alone, timed: `node --import tsx bench/gen-time.ts N path` writes N recommendations
// (seed 1, the fixed time below) into a fresh file at path, and prints the generator's seconds, this
// process's CPU seconds and its peak RSS in MB (run it under /usr/bin/time -v, or --cpu-prof, to see more).
// A third argument, the shared data folder (../shared/data), draws the texts from the real record's
// (bench/real-texts.ts): the 1M database of session 37.
const [n, path, dataDir] = process.argv.slice(2);
const texts = dataDir === undefined ? undefined : realTexts(dataDir);
for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
const db = openDatabase(path!);
const cpu = process.cpuUsage();
const report = generateDatabase(db, { recommendations: Number(n), seed: 1, now: new Date('2026-06-01T00:00:00.000Z'), texts });
db.$client.close();
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ n: Number(n), seconds: report.seconds, cpu: (used.user + used.system) / 1e6, rss: process.resourceUsage().maxRSS / 1024 }));
