// The longer run of test/openapi-conformance.test.ts: seed after seed, with every Unicode text, escape and
// value of each parameter and HEAD and a second GET for every case (CONFORMANCE_SAMPLES), on each backend for a
// number of minutes. Not in npm test.
//
//   node bench/openapi-conformance.mjs [MINUTES_PER_BACKEND=3] [FIRST_SEED=1000] [SAMPLES=3] [BACKENDS=sqlite,postgres]
//
// Prints each run's requests and mismatches, and the mismatches themselves into /tmp/openapi-conformance-<backend>.txt.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const [minutes = '3', firstSeed = '1000', samples = '3', backends = 'sqlite,postgres'] = process.argv.slice(2);

for (const backend of backends.split(',')) {
  const out = `/tmp/openapi-conformance-${backend}.txt`;
  rmSync(out, { force: true });
  const until = Date.now() + Number(minutes) * 60_000;
  const totals = { runs: 0, requests: 0, mismatches: 0 };
  for (let seed = Number(firstSeed); Date.now() < until; seed++) {
    const run = spawnSync('npx', ['tap', '--disable-coverage', '--reporter=tap', 'test/openapi-conformance.test.ts'], {
      encoding: 'utf8',
      env: { ...process.env, TEST_BACKEND: backend, CONFORMANCE_SEED: String(seed), CONFORMANCE_SAMPLES: samples, CONFORMANCE_OUT: out },
      maxBuffer: 256 * 1024 * 1024,
    });
    const counts = [...run.stdout.matchAll(/# (\d+) requests, (\d+) mismatches/g)];
    const requests = counts.reduce((n, m) => n + Number(m[1]), 0);
    const mismatches = counts.reduce((n, m) => n + Number(m[2]), 0);
    Object.assign(totals, { runs: totals.runs + 1, requests: totals.requests + requests, mismatches: totals.mismatches + mismatches });
    console.log(`${backend} seed ${seed}: ${requests} requests, ${mismatches} mismatches${run.status === 0 ? '' : ` (exit ${run.status})`}`);
    if (counts.length === 0) console.log(run.stdout.slice(-3000), run.stderr.slice(-3000));
  }
  console.log(`${backend}: ${totals.runs} runs, ${totals.requests} requests, ${totals.mismatches} mismatches (${out})`);
}
