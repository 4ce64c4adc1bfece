import t from 'tap';
import { exitOnHelpOrUsageError, helpOrUsageError } from '../scripts/command-args.js';

// The bench and training commands (npm run bench, soak, train, bench:tagging, bench:related, bench:import)
// answer --help with their usage and a wrong option with its reason, as the other commands do: parseArgs threw
// a stack trace, and bench:related took --help for nothing and began a run of minutes. (Each command is not
// spawned here: the suite's coverage would then take in the benchmarks' own code.)

const OPTIONS = { json: { type: 'boolean' }, only: { type: 'string', description: 'one part' } } as const;

function capture() {
  const io = { outText: '', errText: '', out: (text: string) => void (io.outText += text), err: (text: string) => void (io.errText += text) };
  return io;
}

t.test('--help prints the usage on stdout (0); an unknown option or a missing value the reason and the usage on stderr (2)', async (t) => {
  for (const argv of [['--help'], ['-h'], ['--json', '--help']]) {
    const io = capture();
    t.equal(helpOrUsageError(argv, OPTIONS, 'Usage: x', io), 0, argv.join(' '));
    t.same([io.outText, io.errText], ['Usage: x\n', '']);
  }
  for (const [argv, reason] of [
    [['--nonsense'], /Unknown option '--nonsense'/],
    [['--only'], /Option '--only <value>' argument missing/],
    [['stray'], /Unexpected argument 'stray'/],
  ] as const) {
    const io = capture();
    t.equal(helpOrUsageError([...argv], OPTIONS, 'Usage: x', io), 2, argv.join(' '));
    t.match(io.errText, reason);
    t.match(io.errText, /\nUsage: x\n$/);
    t.equal(io.outText, '');
  }
  t.equal(helpOrUsageError(['--json', '--only', 'read'], OPTIONS, 'Usage: x', capture()), undefined, 'options it takes: the command runs');
  // With --json, a command that takes it answers wrong usage in JSON on stdout as well (train printed prose only).
  const json = capture();
  t.equal(helpOrUsageError(['--json', '--only'], OPTIONS, 'Usage: x', json), 2);
  t.same(JSON.parse(json.outText), { error: { kind: 'usage', message: "Option '--only <value>' argument missing", exitStatus: 2 } });
  const noJson = capture();
  t.equal(helpOrUsageError(['--json'], { only: { type: 'string' } }, 'Usage: x', noJson), 2, '--json to a command without it');
  t.same([noJson.outText, noJson.errText], ['', "Unknown option '--json'\nUsage: x\n"]);

  const exits: number[] = [];
  exitOnHelpOrUsageError(OPTIONS, 'Usage: x', ['--json'], (code) => exits.push(code), capture());
  exitOnHelpOrUsageError(OPTIONS, 'Usage: x', ['--help'], (code) => exits.push(code), capture());
  t.same(exits, [0], 'exits only when it has a code');
  exitOnHelpOrUsageError(OPTIONS, 'Usage: x', ['--json']); // this process's output and exit, unused: it runs
});
