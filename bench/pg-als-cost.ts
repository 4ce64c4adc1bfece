import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open.js';
import { startServer, stopServer, type ServerProcess } from '../test/support/server-process.js';
import { generateDatabase } from './generate.js';
import { load } from './load.js';
import { pgCpuMicros, pgTarget } from './postgres.js';

// What the context every PostgreSQL GET and HEAD runs in (src/db/pg/client-left.ts, a read cancelled when its
// client leaves) costs: the built server as is (A) and the same bundle without that hook (B, dist/no-als/), against
// the bare Fastify route, in interleaved rounds (bare, A, B, …) on one cluster, as `npm run bench` measures.
// `node --import tsx bench/pg-als-cost.ts --dir /tmp/X [--recommendations 20000] [--rounds 5] [--duration 4]`

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    recommendations: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '4' },
    'pg-cluster': { type: 'string' },
    only: { type: 'string', description: 'the rows to run, by their numbers: 1 cached, 2 uncached, 3 one recommendation (e.g. 2,3)' },
  },
});
const dir = values.dir!;
mkdirSync(dir, { recursive: true });
const sqlite = join(dir, 'bench.sqlite');
if (!existsSync(sqlite)) {
  const db = openDatabase(sqlite);
  generateDatabase(db, { recommendations: Number(values.recommendations) });
  db.$client.close();
}
// The bundle as `npm start` runs it (as bench/run.ts builds it).
await import(new URL('../scripts/build.mjs', import.meta.url).href);
const HOOK = /if\(backend\.kind==="postgres"\)cancelReadsWhenClientsLeave\(\w+\);/;
const bundle = readFileSync('dist/src/server.js', 'utf8');
if (!HOOK.test(bundle)) throw new Error('the hook is not in the bundle as expected');
mkdirSync('dist/no-als', { recursive: true });
writeFileSync('dist/no-als/server.js', bundle.replace(HOOK, ''));
if (existsSync('dist/src/server.js.map')) copyFileSync('dist/src/server.js.map', 'dist/no-als/server.js.map');

const cpu = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const pg = await pgTarget(dir, sqlite, values['pg-cluster'], () => {}, () => {});
const env = { LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000000', RATE_LIMIT_KEY_MAX: '1000000000', MAX_EVENT_LOOP_DELAY_MS: '0', DATABASE_URL: pg.url };
const servers: ServerProcess[] = [];
try {
  const bare = await startServer(join(dir, 'unused.sqlite'), {}, ['bench/bare-fastify.mjs'], '/healthz');
  servers.push(bare);
  const withAls = await startServer(sqlite, env, ['dist/src/server.js']);
  servers.push(withAls);
  const without = await startServer(sqlite, env, ['dist/no-als/server.js']);
  servers.push(without);
  const id = ((await (await fetch(`${withAls.baseUrl}/v1/recommendations?limit=1`)).json()) as { data: { id: string }[] }).data[0]!.id;
  const list = '/v1/recommendations?stateUnderReview=FRA,KEN,BRA,IND&position=supported&limit=50';
  const rows: [string, string, Record<string, string>][] = [
    ['same list, cached', list, {}],
    ['filtered list of 50, uncached', list, { 'cache-control': 'no-cache' }],
    ['/v1/recommendations/{id}, uncached', `/v1/recommendations/${id}`, { 'cache-control': 'no-cache' }],
  ];
  for (const server of [withAls, without]) {
    void server.exited.then(({ code, signal }) => console.error(`${server === withAls ? 'A' : 'B'} exited (${code ?? signal}):\n${server.output()}`));
  }
  const only = values.only?.split(',').map(Number);
  for (const [name, path, headers] of rows.filter((_row, i) => only === undefined || only.includes(i + 1))) {
    const ratio = { A: [] as number[], B: [] as number[] };
    const us = { A: [] as number[], B: [] as number[], bare: [] as number[] };
    const db = { A: [] as number[], B: [] as number[] };
    for (let round = 0; round < Number(values.rounds); round++) {
      const measure = async (server: ServerProcess, url: string, h: Record<string, string>) => {
        const c = cpu(server.child.pid!);
        const d = pgCpuMicros(pg.postmaster);
        const result = await load('wrk', { url: `${server.baseUrl}${url}`, connections: 10, duration: Number(values.duration), headers: h });
        // On a machine shared with other work a round may see a timeout: said, not fatal.
        if (result.failed > 0) console.error(`${name}: ${result.failed} failed (${result.failures})`);
        return { rps: result.requests.average, us: (cpu(server.child.pid!) - c) / result.requests.total, db: (pgCpuMicros(pg.postmaster) - d) / result.requests.total };
      };
      const b = await measure(bare, '/healthz', {});
      // A and B in alternating order, so that neither always runs right after the bare route.
      const order = round % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
      us.bare.push(b.us);
      for (const which of order) {
        const r = await measure(which === 'A' ? withAls : without, path, headers);
        ratio[which].push(r.rps / b.rps);
        us[which].push(r.us);
        db[which].push(r.db);
      }
    }
    const f = (x: number) => x.toFixed(4);
    console.log(
      `${name}: ratio vs bare (median of ${values.rounds}) with ALS ${f(median(ratio.A))}×, without ${f(median(ratio.B))}× ` +
        `(${((median(ratio.A) / median(ratio.B) - 1) * 100).toFixed(1)} %); node CPU µs/request (median) with ${Math.round(median(us.A))}, ` +
        `without ${Math.round(median(us.B))} (${((median(us.A) / median(us.B) - 1) * 100).toFixed(1)} %), bare ${Math.round(median(us.bare))}; ` +
        `PostgreSQL µs/request with ${Math.round(median(db.A))}, without ${Math.round(median(db.B))}`,
    );
  }
} finally {
  for (const server of servers) await stopServer(server);
  await pg.stop();
  rmSync('dist/no-als', { recursive: true, force: true });
}
