import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';
import { ACCURACY, LOSS } from '../helpers/runs.js';
import { writeSyntheticRuns, type SyntheticRun } from '../helpers/synthetic-runs.js';

/** A run with a known test accuracy and learning rate, written on a known day. */
const run = (tag: string, accuracy: number, lr: number, day: number, extra: Partial<SyntheticRun> = {}): SyntheticRun => ({
  tag,
  createdAt: new Date(Date.UTC(2026, 10, day)),
  metrics: {
    metrics: { test_accuracy: accuracy, val_loss: 1 - accuracy },
    metric_definitions: { test_accuracy: ACCURACY, val_loss: LOSS },
    primary_metric: 'test_accuracy',
    results: { test_accuracy: accuracy, params: 1000 * day },
  },
  hyperparameters: { seed: day, training: { lr, epochs: 10 } },
  ...extra,
});

const RUNS: SyntheticRun[] = [
  run('M1-base-s0', 0.91, 0.1, 1),
  run('M1-base-s1', 0.89, 0.1, 2),
  run('M2-wide-s0', 0.95, 0.01, 3),
  run('M2-wide-s1', 0.93, 0.1, 4),
  // contract 1.1: a trial that failed is still a sealed run, with summary.json status + status_reason.
  run('M2-wide-s2', 0.5, 0.1, 5, { summaryExtra: { status: 'failed', status_reason: 'exit status 137, "killed"' } }),
  { tag: 'wiring', createdAt: new Date(Date.UTC(2026, 10, 6)) },
];

describe('dl-lab runs (the built bin)', function () {
  this.timeout(180_000);
  let root: string;
  const runs = (...args: string[]) => runCli(['runs', ...args], { cwd: root });
  const lines = (text: string) => text.trimEnd().split(/\r?\n/);

  before(async () => {
    root = tempDir();
    writeFileSync(join(root, '.yo-rc.json'), JSON.stringify({ 'generator-dl-lab': { name: 'scale' } }));
    await writeSyntheticRuns(root, RUNS);
  });
  after(cleanupTempDirs);

  it('lists every run by tag with its date, status and primary metric', () => {
    const result = runs();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(lines(result.stdout), [
      'tag         created                   status     primary_metric      primary',
      'M1-base-s0  2026-11-01T00:00:00.000Z  completed  test_accuracy       0.91',
      'M1-base-s1  2026-11-02T00:00:00.000Z  completed  test_accuracy       0.89',
      'M2-wide-s0  2026-11-03T00:00:00.000Z  completed  test_accuracy       0.95',
      'M2-wide-s1  2026-11-04T00:00:00.000Z  completed  test_accuracy       0.93',
      'M2-wide-s2  2026-11-05T00:00:00.000Z  failed     test_accuracy       0.5',
      'wiring      2026-11-06T00:00:00.000Z  completed  placeholder_metric  0',
      '6 of 6 runs',
    ]);
  });

  it('filters (every --where must hold) and sorts, descending with -key as typed', () => {
    const result = runs('--where', 'test_accuracy>=0.9', '--where', 'hp.training.lr=0.1', '--sort', '-test_accuracy', '--columns', 'tag,test_accuracy,hp.training.lr');
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(lines(result.stdout), [
      'tag         test_accuracy  hp.training.lr',
      'M2-wide-s1  0.93           0.1',
      'M1-base-s0  0.91           0.1',
      '2 of 6 runs (2 matched)',
    ]);
  });

  it('--json: the chosen columns of the matching runs, every digit kept, missing as null', () => {
    const result = runs('--where', 'tag~^M2', '--sort=params', '--columns', 'tag,status,status_reason,results.params,hp.training.lr', '--json');
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      columns: ['tag', 'status', 'status_reason', 'results.params', 'hp.training.lr'],
      runs: [
        { tag: 'M2-wide-s0', status: 'completed', status_reason: null, 'results.params': 3000, 'hp.training.lr': 0.01 },
        { tag: 'M2-wide-s1', status: 'completed', status_reason: null, 'results.params': 4000, 'hp.training.lr': 0.1 },
        { tag: 'M2-wide-s2', status: 'failed', status_reason: 'exit status 137, "killed"', 'results.params': 5000, 'hp.training.lr': 0.1 },
      ],
      matched: 3,
      total: 6,
    });
  });

  it('--csv: RFC 4180 quoting, empty for a missing value; --limit after sorting', () => {
    const result = runs('--csv', '--columns', 'tag,status,status_reason,test_accuracy', '--sort', '-created', '--limit', '3');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'tag,status,status_reason,test_accuracy\r\nwiring,completed,,\r\nM2-wide-s2,failed,"exit status 137, ""killed""",0.5\r\nM2-wide-s1,completed,,0.93\r\n');
  });

  it('status, dates, regex negation and != select what they say', () => {
    const pick = (...where: string[]) => {
      const result = runs(...where.flatMap((w) => ['--where', w]), '--columns', 'tag', '--csv');
      assert.equal(result.status, 0, result.stderr);
      return lines(result.stdout).slice(1);
    };
    assert.deepEqual(pick('status!=completed'), ['M2-wide-s2']);
    assert.deepEqual(pick('created>=2026-11-04', 'tag!~^wir'), ['M2-wide-s1', 'M2-wide-s2']);
    assert.deepEqual(pick('hp.training.lr=1e-2'), ['M2-wide-s0']);
    assert.deepEqual(pick('test_accuracy<0.9'), ['M1-base-s1', 'M2-wide-s2'], 'the wiring run has no test_accuracy: it never matches');
    assert.deepEqual(pick('tag~^M9'), []);
  });

  it('a damaged run is listed as unreadable, never stops the listing', () => {
    const summary = join(root, 'artifacts/runs/M1-base-s1/summary.json');
    chmodSync(summary, 0o644);
    writeFileSync(summary, '{ not json');
    const result = runs('--columns', 'tag,status,test_accuracy', '--where', 'tag~^M1');
    assert.equal(result.status, 0, result.stderr);
    // test_accuracy is also a result: analysis.json still answers for it.
    assert.deepEqual(lines(result.stdout).slice(1, 3), ['M1-base-s0  completed   0.91', 'M1-base-s1  unreadable  0.89']);
  });

  it('bad expressions: one line naming the option, exit 1, nothing on stdout', () => {
    const cases: Array<[string[], string]> = [
      [['--where', 'test_acuracy>=0.9'], 'dl-lab runs: error: --where "test_acuracy>=0.9": no run has a field "test_acuracy" (did you mean test_accuracy?)'],
      [['--where', 'test_accuracy>>0.9'], 'dl-lab runs: error: --where "test_accuracy>>0.9": > needs a number or a date (YYYY-MM-DD…), got ">0.9"'],
      [['--where', 'test_accuracy'], 'dl-lab runs: error: --where "test_accuracy": expected FIELD OP VALUE with OP one of >= <= != !~ = > < ~ (e.g. test_accuracy>=0.9, hp.training.lr=0.1, tag~^M2)'],
      [['--where', 'tag~(M'], 'dl-lab runs: error: --where "tag~(M": Invalid regular expression: /(M/: Unterminated group'],
      [['--where', 'lr='], 'dl-lab runs: error: --where "lr=": no value after ='],
      [['--where', 'test_accuracy=>0.9'], 'dl-lab runs: error: --where "test_accuracy=>0.9": => is not an operator: OP is one of >= <= != !~ = > < ~ (for a value starting with < > = ! or ~, use ~, e.g. note~^!)'],
      [['--where', 'test_accuracy=<0.99'], 'dl-lab runs: error: --where "test_accuracy=<0.99": =< is not an operator: OP is one of >= <= != !~ = > < ~ (for a value starting with < > = ! or ~, use ~, e.g. note~^!)'],
      [['--where', 'test_accuracy===0.9'], 'dl-lab runs: error: --where "test_accuracy===0.9": === is not an operator: OP is one of >= <= != !~ = > < ~ (for a value starting with < > = ! or ~, use ~, e.g. note~^!)'],
      [['--where', 'status!==completed'], 'dl-lab runs: error: --where "status!==completed": !== is not an operator: OP is one of >= <= != !~ = > < ~ (for a value starting with < > = ! or ~, use ~, e.g. note~^!)'],
      [['--where', 'status=!completed'], 'dl-lab runs: error: --where "status=!completed": =! is not an operator: OP is one of >= <= != !~ = > < ~ (for a value starting with < > = ! or ~, use ~, e.g. note~^!)'],
      [['--where', 'tag=~^M2'], 'dl-lab runs: error: --where "tag=~^M2": =~ is not an operator: OP is one of >= <= != !~ = > < ~ (for a value starting with < > = ! or ~, use ~, e.g. note~^!)'],
      [['--where', 'test_accuracy= >0.9'], 'dl-lab runs: error: --where "test_accuracy= >0.9": => is not an operator: OP is one of >= <= != !~ = > < ~ (for a value starting with < > = ! or ~, use ~, e.g. note~^!)'],
      [['--sort', 'test_accuracy,,tag'], 'dl-lab runs: error: --sort "test_accuracy,,tag": an empty name in the comma-separated list'],
      [['--columns', 'tag,hp.nope'], 'dl-lab runs: error: --columns: no run has a field "hp.nope"'],
      [['--columns', 'tag,a b'], 'dl-lab runs: error: --columns "tag,a b": "a b" is not a field name (a built-in field such as tag or created, hp.<path>, metrics.<key>, results.<key>, or a metric or result key)'],
      [['--limit', '0'], 'dl-lab runs: error: --limit must be a positive integer, got 0'],
      [['--limit', 'ten'], 'dl-lab runs: error: --limit must be a positive integer, got "ten"'],
      [['--json', '--csv'], 'dl-lab runs: error: --json and --csv: choose one output format'],
    ];
    for (const [args, message] of cases) {
      const result = runs(...args);
      assert.equal(result.status, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '', args.join(' '));
      assert.equal(result.stderr, `${message}\n`, args.join(' '));
    }
  });

  it('every `dl-lab runs` example of its USAGE and of README.md runs as printed', function () {
    this.timeout(300_000); // a dozen CLI runs, on a shared machine
    const usage = readFileSync(new URL('../../generators/runs/USAGE', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const examples = [...usage.split('\n'), ...readme.split('\n')].map((line) => line.trim().replace(/\s+#.*$/, '')).filter((line) => line.startsWith('dl-lab runs'));
    assert.ok(examples.length >= 8, examples.join('\n'));
    for (const example of examples) {
      const result = spawnSync('bash', ['-c', `dl-lab() { "${process.execPath}" "${CLI}" "$@"; }\n${example}`], { cwd: root, encoding: 'utf8' });
      assert.equal(result.status, 0, `${example}: ${result.stderr}`);
      assert.equal(result.stderr, '', example);
    }
  });

  it('piped into a reader that stops reading (`| head`, here `| true`): no stack trace, the exit status is the work\'s', () => {
    // `true` exits without reading: every write of the command meets a pipe with no reader (EPIPE).
    const piped = (command: string): string =>
      spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" ${command} 2>stderr.txt | true; echo "status $?"; cat stderr.txt`], { cwd: root, encoding: 'utf8' }).stdout;
    assert.equal(piped('runs --sort -test_accuracy'), 'status 0\n');
    // verify of these runs fails (earlier tests broke them): still its one error, and its status 1.
    assert.match(piped('verify'), /^status 1\ndl-lab verify: error: \d run\(s\) failed verification: M1-base-s0, [^\n]*\n( {2}- [^\n]*\n)+$/);
  });

  it('outside a project: one line, exit 1', () => {
    const result = runCli(['runs'], { cwd: tempDir() });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^dl-lab runs: error: .*\n$/);
  });
});
