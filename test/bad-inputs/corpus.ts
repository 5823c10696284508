import { chmodSync, mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bad inputs a researcher can give dl-lab. Each must exit non-zero with an error naming the file
 * (or option) and the field, print no stack trace, and leave the project byte-for-byte as it was.
 * The base project (see bad-inputs.test.ts) has runs `M0-wiring` and `demo-seed0`, and the
 * registered dataset `train` (the file data/train.csv).
 */
export interface BadInput {
  name: string;
  args: string[];
  /** Prepares the bad input inside the copy of the base project. */
  setup?: (root: string) => void;
  /** What the error must say: the file/option and the field. */
  error: RegExp;
  /** The error is one line (a metrics or config file with one problem). */
  oneLine?: boolean;
}

const write = (root: string, path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

const definitions = { acc: { definition: 'accuracy', unit: 'fraction', higher_is_better: true } };
const metricsFile = (overrides: Record<string, unknown>) =>
  JSON.stringify({ metrics: { acc: 0.9 }, metric_definitions: definitions, primary_metric: 'acc', results: { acc: 0.9 }, ...overrides });
/** `oneLine`: the file has one problem (several are counted, then listed a line each). */
const badMetrics = (name: string, text: string, error: RegExp, oneLine = true): BadInput => ({
  name: `metrics: ${name}`,
  args: ['run', 'T-metrics', '--metrics', 'tmp/metrics.json'],
  setup: (root) => write(root, 'tmp/metrics.json', text),
  error,
  oneLine,
});
const badConfig = (name: string, text: string, error: RegExp, command: 'run' | 'demo' = 'run'): BadInput => ({
  name: `config (${command}): ${name}`,
  args: command === 'run' ? ['run', 'T-config', '--config', 'configs/bad.json'] : ['demo', '--config', 'configs/bad.json', '--quiet'],
  setup: (root) => write(root, 'configs/bad.json', text),
  error,
  oneLine: true,
});
/** Mutate a published run (its files are read-only, as published). */
const tamper = (name: string, change: (runDir: string) => void, error: RegExp): BadInput => ({
  name: `tampered run: ${name}`,
  args: ['verify'],
  setup: (root) => change(join(root, 'artifacts/runs/demo-seed0')),
  error,
});
const flipByte = (path: string, offset: number) => {
  chmodSync(path, 0o644);
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const bytes = readFileSync(path);
  bytes[offset] ^= 0x01;
  writeFileSync(path, bytes);
};

const TAG_ERROR = (tag: string) => new RegExp(`invalid TAG ${JSON.stringify(tag).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`);

export const BAD_INPUTS: BadInput[] = [
  // Tags
  { name: 'tag: empty', args: ['run', ''], error: /TAG is required/ },
  { name: 'tag: ..', args: ['run', '..'], error: TAG_ERROR('..') },
  { name: 'tag: /', args: ['run', '/'], error: TAG_ERROR('/') },
  { name: 'tag: a/b', args: ['run', 'a/b'], error: TAG_ERROR('a/b') },
  { name: 'tag: spaces', args: ['run', 'my run'], error: TAG_ERROR('my run') },
  { name: 'tag: unicode', args: ['run', 'rün-α'], error: TAG_ERROR('rün-α') },
  { name: 'tag: 200 characters', args: ['run', 'x'.repeat(200)], error: /invalid TAG "x{200}"/ },
  { name: 'tag: leading dot', args: ['run', '.hidden'], error: TAG_ERROR('.hidden') },
  { name: 'tag: existing run', args: ['run', 'M0-wiring'], error: /artifacts\/runs\/M0-wiring already exists: a published run is never overwritten/ },
  { name: 'tag: existing demo run', args: ['demo', '--seed', '0', '--quiet'], error: /artifacts\/runs\/demo-seed0 already exists/ },
  { name: 'demo --tag ..', args: ['demo', '--tag', '..', '--quiet'], error: TAG_ERROR('..') },
  // Configs
  badConfig('not JSON', '{seed: 0}', /configs\/bad\.json: not valid JSON/),
  badConfig('no seed', '{"lr": 0.1}', /configs\/bad\.json: \/seed: missing required field 'seed'/),
  badConfig('seed null', '{"seed": null}', /configs\/bad\.json: \/seed: must be integer/),
  badConfig('seed float', '{"seed": 1.5}', /configs\/bad\.json: \/seed: must be integer/),
  badConfig('seed string', '{"seed": "0"}', /configs\/bad\.json: \/seed: must be integer/),
  badConfig('seed negative', '{"seed": -1}', /configs\/bad\.json: \/seed: must be >= 0/),
  badConfig('an array', '[0]', /configs\/bad\.json: \/: must be object/),
  badConfig('n_train a string', '{"seed": 0, "data": {"n_train": "1000"}}', /configs\/bad\.json: \/data\/n_train: must be integer/, 'demo'),
  badConfig('lr zero', '{"seed": 0, "training": {"lr": 0}}', /configs\/bad\.json: \/training\/lr: must be > 0/, 'demo'),
  badConfig('epochs zero', '{"seed": 0, "training": {"epochs": 0}}', /configs\/bad\.json: \/training\/epochs: must be >= 1/, 'demo'),
  badConfig('hidden negative', '{"seed": 0, "model": {"hidden": -1}}', /configs\/bad\.json: \/model\/hidden: must be >= 0/, 'demo'),
  { name: 'config: missing file', args: ['run', 'T-config', '--config', 'configs/nope.json'], error: /configs\/nope\.json: cannot read \(ENOENT\)/ },
  { name: 'config: a directory', args: ['run', 'T-config', '--config', 'configs'], error: /configs: not a regular file/ },
  // --metrics files
  badMetrics('missing keys', '{"metrics": {"acc": 0.9}}', /^dl-lab run: error: invalid metrics file tmp\/metrics\.json: 3 problems\n  - tmp\/metrics\.json: \/primary_metric: missing required field 'primary_metric'\n  - tmp\/metrics\.json: \/metric_definitions: missing required field 'metric_definitions'\n/, false),
  badMetrics('NaN', '{"metrics": {"acc": NaN}}', /tmp\/metrics\.json: not valid JSON.*JSON has no NaN or Infinity/s),
  badMetrics('Infinity', metricsFile({}).replace('"acc":0.9', '"acc":Infinity'), /tmp\/metrics\.json: not valid JSON.*NaN or Infinity/s),
  badMetrics('string value', metricsFile({ metrics: { acc: '0.9' } }), /^dl-lab run: error: invalid metrics file tmp\/metrics\.json: \/metrics\/acc: must be number\n$/),
  badMetrics('metric without definition', metricsFile({ metrics: { acc: 0.9, loss: 0.3 } }), /tmp\/metrics\.json: \/metrics\/loss: 'loss' has no entry in metric_definitions/),
  badMetrics('results key not defined', metricsFile({ results: { f1: 0.5 } }), /tmp\/metrics\.json: \/results\/f1: 'f1' has no entry in metric_definitions/),
  badMetrics('nested values', metricsFile({ results: { acc: { mean: 0.9 } } }), /tmp\/metrics\.json: \/results\/acc: must be number/),
  badMetrics('primary metric not defined', metricsFile({ primary_metric: 'auc' }), /tmp\/metrics\.json: \/primary_metric: 'auc' has no entry/),
  badMetrics('definition without unit', metricsFile({ metric_definitions: { acc: { definition: 'a', higher_is_better: true } } }), /tmp\/metrics\.json: \/metric_definitions\/acc\/unit: missing required field 'unit'/),
  badMetrics('higher_is_better a string', metricsFile({ metric_definitions: { acc: { definition: 'a', unit: 'u', higher_is_better: 'yes' } } }), /tmp\/metrics\.json: \/metric_definitions\/acc\/higher_is_better: must be boolean/),
  badMetrics('history entry without epoch', metricsFile({ history: [{ acc: 0.5 }] }), /tmp\/metrics\.json: \/history\/0\/epoch: missing required field 'epoch'/),
  badMetrics('unknown top-level field', metricsFile({ acuracy: 1 }), /tmp\/metrics\.json: \/acuracy: unknown field 'acuracy'/),
  badMetrics('empty file', '', /tmp\/metrics\.json: not valid JSON/),
  badMetrics('checkpoint path missing', metricsFile({ best_checkpoint: { path: 'gone.pt', selected_by: 'acc' } }), /checkpoint gone\.pt: cannot read \(ENOENT\)/),
  badMetrics('completed without primary_metric (1.1)', JSON.stringify({ status: 'completed', metrics: {}, metric_definitions: definitions, results: {} }), /tmp\/metrics\.json: \/primary_metric: missing required field 'primary_metric'/),
  badMetrics('history_file shorter than its head saw (1.1)', metricsFile({ history_file: { path: 'gone.jsonl', bytes: 10, sha256: '0'.repeat(64) } }), /tmp\/metrics\.json history_file gone\.jsonl: cannot read \(ENOENT\)/),
  { name: 'run: --status that upgrades a running log (1.1)', args: ['run', 'T-status', '--metrics', 'tmp/metrics.json', '--status', 'completed'], setup: (root) => write(root, 'tmp/metrics.json', JSON.stringify({ status: 'running', metrics: {}, metric_definitions: definitions, results: {} })), error: /--status completed contradicts tmp\/metrics\.json: \/status "running"/ },
  { name: 'run: --parent that has no checkpoint (1.1)', args: ['run', 'T-parent', '--parent', 'M0-wiring'], error: /--parent: run M0-wiring holds no checkpoint file to resume from/ },
  {
    name: 'metrics: huge file (65 MiB)',
    args: ['run', 'T-metrics', '--metrics', 'tmp/huge.json'],
    setup: (root) => {
      write(root, 'tmp/huge.json', '');
      truncateSync(join(root, 'tmp/huge.json'), 65 * 1024 * 1024);
    },
    error: /tmp\/huge\.json: 68157440 bytes is larger than the 67108864-byte limit/,
  },
  { name: 'metrics: file missing', args: ['run', 'T-metrics', '--metrics', 'tmp/none.json'], error: /tmp\/none\.json: cannot read \(ENOENT\)/ },
  // Command-line numbers
  { name: '--seed abc', args: ['demo', '--seed', 'abc', '--quiet'], error: /--seed must be an integer from 0 to 4294967295, got/ },
  { name: '--lr -1', args: ['demo', '--lr', '-1', '--tag', 'neg-lr', '--quiet'], error: /--lr must be a positive number/ },
  { name: '--hidden 1.5', args: ['demo', '--hidden', '1.5', '--tag', 'frac', '--quiet'], error: /--hidden must be a non-negative integer/ },
  // Option values that are missing, look like an option, or are numbers of the wrong kind: refused by name, never coerced
  { name: 'run -rf', args: ['run', '-rf'], error: /^dl-lab run: error: TAG is required \("-rf" is not an option of this command/ },
  { name: 'run --tag', args: ['run', '--tag'], error: /^dl-lab run: error: TAG is required \("--tag" is not an option/ },
  { name: 'demo --hidden -3', args: ['demo', '--hidden', '-3', '--tag', 'neg-hidden', '--quiet'], error: /^dl-lab demo: error: --hidden must be a non-negative integer, got -3$/m },
  { name: 'demo --epochs 2.5', args: ['demo', '--epochs', '2.5', '--tag', 'frac-epochs', '--quiet'], error: /^dl-lab demo: error: --epochs must be a positive integer, got 2\.5$/m },
  { name: 'demo --epochs 0', args: ['demo', '--epochs', '0', '--tag', 'zero-epochs', '--quiet'], error: /--epochs must be a positive integer, got 0/ },
  { name: 'demo --seed 1.5', args: ['demo', '--seed', '1.5', '--quiet'], error: /^dl-lab demo: error: --seed must be an integer from 0 to 4294967295, got 1\.5$/m },
  { name: 'demo --seed -1', args: ['demo', '--seed', '-1', '--quiet'], error: /--seed must be an integer from 0 to 4294967295, got -1/ },
  { name: 'demo --seed 0x10 (never read as 16)', args: ['demo', '--seed', '0x10', '--quiet'], error: /--seed must be an integer from 0 to 4294967295, got "0x10"/ },
  { name: 'demo --lr 0', args: ['demo', '--lr', '0', '--tag', 'zero-lr', '--quiet'], error: /^dl-lab demo: error: --lr must be a positive number, got 0$/m },
  { name: 'demo --lr=-1', args: ['demo', '--lr=-1', '--tag', 'neg-lr2', '--quiet'], error: /--lr must be a positive number, got -1/ },
  { name: 'demo --seed (no value, never 0)', args: ['demo', '--tag', 'no-seed', '--quiet', '--seed'], error: /^dl-lab demo: error: --seed needs a value$/m },
  { name: 'demo --seed --quiet', args: ['demo', '--seed', '--quiet'], error: /--seed needs a value, got "--quiet", which looks like an option/ },
  { name: 'demo --seed=', args: ['demo', '--seed=', '--quiet'], error: /--seed needs a value/ },
  { name: 'demo --tag -rf', args: ['demo', '--tag', '-rf', '--quiet'], error: /--tag needs a value, got "-rf", which looks like an option/ },
  { name: 'demo --out-dir --quiet', args: ['demo', '--out-dir', '--quiet'], error: /--out-dir needs a value, got "--quiet"/ },
  { name: 'run --metrics (no value)', args: ['run', 'T-metrics', '--metrics'], error: /--metrics needs a value/ },
  { name: 'run --config -x', args: ['run', 'T-config', '--config', '-x'], error: /--config needs a value, got "-x", which looks like an option/ },
  { name: 'paper --digits (no value)', args: ['paper', 'demo-seed0', '--digits'], error: /--digits needs a value/ },
  { name: 'paper --digits 2.5', args: ['paper', 'demo-seed0', '--digits', '2.5'], error: /--digits must be a non-negative integer, got 2\.5/ },
  { name: 'compare --tolerance --json', args: ['compare', 'M0-wiring', 'demo-seed0', '--tolerance', '--json'], error: /--tolerance needs a value, got "--json"/ },
  { name: 'run T -rf (an option run does not have)', args: ['run', 'T-unknown', '-rf'], error: /^dl-lab run: error: unknown option "-rf"; see dl-lab run --help$/m },
  { name: 'demo --sed 1 (a misspelt option)', args: ['demo', '--sed', '1', '--quiet'], error: /^dl-lab demo: error: unknown option "--sed"; see dl-lab demo --help$/m },
  { name: 'data add --name (no value)', args: ['data', 'add', 'data/train.csv', '--name'], error: /--name needs a value/ },
  // The refusals name the option that overrides them, as typed (`--replace`, the same under yo).
  { name: 'data add: a name already registered', args: ['data', 'add', 'data/train.csv', '--name', 'train'], error: /^dl-lab data: error: Dataset "train" is already registered; pass --replace to re-register it$/m },
  {
    name: 'data add: a note already there for a name not registered',
    args: ['data', 'add', 'data/train.csv', '--name', 'other'],
    setup: (root) => write(root, 'knowledge_base/data/other.md', '# my own note\n'),
    error: /^dl-lab data: error: knowledge_base\/data\/other\.md already exists though "other" is not registered; pass --replace to overwrite it$/m,
  },
  // Project marker
  { name: '.yo-rc.json corrupt', args: ['run', 'T-yo'], setup: (root) => writeFileSync(join(root, '.yo-rc.json'), '{"generator-dl-lab": {'), error: /\.yo-rc\.json: not valid JSON/ },
  { name: '.yo-rc.json without our key', args: ['run', 'T-yo'], setup: (root) => writeFileSync(join(root, '.yo-rc.json'), '{}'), error: /\.yo-rc\.json: missing object "generator-dl-lab"/ },
  // Dataset registry
  {
    name: 'dataset registry: not JSON',
    args: ['run', 'T-data', '--data', 'train'],
    setup: (root) => writeFileSync(join(root, 'knowledge_base/data/datasets.json'), '{"datasets": '),
    error: /knowledge_base\/data\/datasets\.json/,
  },
  {
    name: 'dataset registry: a record missing its digest',
    args: ['run', 'T-data', '--data', 'train'],
    setup: (root) => writeFileSync(join(root, 'knowledge_base/data/datasets.json'), JSON.stringify({ schema_version: '1.0', datasets: { train: { name: 'train' } } })),
    error: /knowledge_base\/data\/datasets\.json.*\/datasets\/train/s,
  },
  {
    name: 'dataset: a registered file is missing',
    args: ['run', 'T-data', '--data', 'train'],
    setup: (root) => rmSync(join(root, 'data/train.csv')),
    error: /"train" \(0 changed, 1 missing, 0 added\) changed since registration/,
  },
  {
    name: 'dataset: a registered file changed',
    args: ['demo', '--data', 'train', '--tag', 'd', '--quiet'],
    setup: (root) => appendFileSync(join(root, 'data/train.csv'), '9,9\n'),
    error: /"train" \(1 changed, 0 missing, 0 added\) changed since registration/,
  },
  { name: 'dataset: unknown name', args: ['run', 'T-data', '--data', 'nope'], error: /Unknown dataset "nope"; registered: train/ },
  // Published runs tampered with
  tamper('byte flip in summary.json', (dir) => flipByte(join(dir, 'summary.json'), 40), /artifacts\/runs\/demo-seed0\/summary\.json: sha256 .* differs from the recorded/),
  tamper('file removed', (dir) => rmSync(join(dir, 'analysis.json')), /artifacts\/runs\/demo-seed0\/analysis\.json: cannot read \(ENOENT\)/),
  tamper('file added', (dir) => writeFileSync(join(dir, 'extra.txt'), 'x'), /artifacts\/runs\/demo-seed0\/extra\.txt: not listed in manifest\.json outputs/),
  tamper('symlink out of the project', (dir) => symlinkSync('/etc/hostname', join(dir, 'figures', 'escape.png')), /artifacts\/runs\/demo-seed0\/figures\/escape\.png: symlink inside a run/),
  tamper('manifest edited', (dir) => {
    chmodSync(join(dir, 'manifest.json'), 0o644);
    appendFileSync(join(dir, 'manifest.json'), ' ');
  }, /artifacts\/runs\/demo-seed0\/SHA256SUMS: does not match manifest\.json/),
  tamper('output replaced by a symlink', (dir) => {
    rmSync(join(dir, 'checkpoints', 'best.json'));
    symlinkSync('../summary.json', join(dir, 'checkpoints', 'best.json'));
  }, /artifacts\/runs\/demo-seed0\/checkpoints\/best\.json: is a symlink, not a file/),
  { name: 'verify: unknown tag', args: ['verify', 'no-such-run'], error: /^dl-lab verify: error: TAG no-such-run: no such run \(artifacts\/runs\/no-such-run\/ does not exist\)$/m, oneLine: true },
  { name: 'verify: mistyped tag beside a real one', args: ['verify', 'M0-wiring', 'demo-seed1'], error: /^dl-lab verify: error: TAG demo-seed1: no such run \(artifacts\/runs\/demo-seed1\/ does not exist; did you mean demo-seed0\?\)$/m, oneLine: true },
  // Sweeps: every check before anything is written
  { name: 'sweep: invalid NAME', args: ['sweep', 'a/b'], error: /invalid NAME "a\/b"/ },
  { name: 'sweep: --seeds not integers', args: ['sweep', 'x', '--seeds', '0-two'], error: /--seeds "0-two": "0-two" is not a seed/ },
  { name: 'sweep: --grid through a number', args: ['sweep', 'x', '--grid', 'training.lr.x=1'], error: /--grid training\.lr\.x: the config's training\.lr is 0\.5, not an object/ },
  { name: 'sweep: --grid of a key the config does not have (a typo)', args: ['sweep', 'x', '--seeds', '0-1', '--grid', 'training.lrr=0.1'], error: /^dl-lab sweep: error: --grid training\.lrr: configs\/default\.json has no key training\.lrr \(did you mean training\.lr\?\); to vary a new key, add it to configs\/default\.json first$/m },
  { name: 'sweep: --grid on the seed', args: ['sweep', 'x', '--grid', 'seed=1'], error: /--grid "seed=1": the seed is set by --seeds/ },
  { name: 'sweep: --task of a sweep never planned', args: ['sweep', 'nope', '--task', '0'], error: /artifacts\/experiments\/nope\/plan\.json does not exist/ },
  { name: 'sweep: --jobs not an integer', args: ['sweep', 'x', '--jobs', '1.5'], error: /--jobs must be a positive integer, got 1\.5/ },
  { name: 'sweep: a trial command without {out}', args: ['sweep', 'x', '--', 'python3', 'train.py', '--seed', '{seed}'], error: /the trial command never mentions \{out\}/ },
  // Experiments
  { name: 'aggregate: invalid NAME', args: ['aggregate', '../x'], error: /invalid NAME "\.\.\/x"/ },
  { name: 'aggregate: no such experiment', args: ['aggregate', 'nope'], error: /no experiment named nope: artifacts\/experiments\/nope\/plan\.json does not exist/ },
  {
    name: 'aggregate: plan.json not valid',
    args: ['aggregate', 'exp'],
    setup: (root) => write(root, 'artifacts/experiments/exp/plan.json', JSON.stringify({ name: 'exp', created_at: 'yesterday', command: null, base_config: { path: null, sha256: '0'.repeat(64) }, seeds: [0], grid: [], variants: [{ name: 'base', overrides: {} }], trials: [] })),
    error: /artifacts\/experiments\/exp\/plan\.json: \/created_at: must match format "date-time"/,
  },
  { name: 'aggregate: NAME taken by a plain run', args: ['aggregate', 'demo-seed0'], setup: (root) => write(root, 'artifacts/experiments/demo-seed0/plan.json', JSON.stringify({ name: 'demo-seed0', created_at: '2026-01-01T00:00:00Z', command: null, base_config: { path: null, sha256: '0'.repeat(64) }, seeds: [0], grid: [], variants: [{ name: 'base', overrides: {} }], trials: [{ tag: 'M0-wiring', variant: 'base', seed: 0 }] })), error: /artifacts\/runs\/demo-seed0 is a run, not a record of experiment demo-seed0/ },
  { name: 'paper: --spread unknown', args: ['paper', 'demo-seed0', '--spread', 'iqr'], error: /--spread must be one of std, sem, ci95, got "iqr"/ },
  { name: 'compare: --alpha with two runs', args: ['compare', 'M0-wiring', 'demo-seed0', '--alpha', '0.05'], error: /--alpha compares experiment variants/ },
  { name: 'compare: NAME:variant of no experiment', args: ['compare', 'nope:base', 'demo-seed0'], error: /A: no experiment record "nope"/ },
];
