import assert from 'node:assert/strict';
import { parseSeeds } from '../../core/experiments/seeds.js';
import { gridVariants, parseGrid } from '../../core/experiments/grid.js';
import { applyOverrides } from '../../core/experiments/overrides.js';
import { checkCommandTemplate, substituteCommand } from '../../core/experiments/trial-command.js';
import { buildSweepPlan, trialConfig } from '../../core/experiments/sweep-plan.js';
import { arraySpec, slurmJobs, sbatchCommands } from '../../core/experiments/slurm.js';
import { inMemoryConfig } from '../../core/config.js';

/** The message of the UserError `fn` throws. */
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    assert.equal((error as Error).name, 'UserError', String(error));
    return (error as Error).message;
  }
  assert.fail('expected a UserError');
};

describe('sweep planning: seeds, grid, variants, overrides, commands', () => {
  it('--seeds takes ranges and lists, keeps their order, refuses repeats, backwards ranges and non-integers', () => {
    assert.deepEqual(parseSeeds('0-4'), [0, 1, 2, 3, 4]);
    assert.deepEqual(parseSeeds('0,3,7'), [0, 3, 7]);
    assert.deepEqual(parseSeeds('7, 0-1'), [7, 0, 1]);
    assert.match(refusal(() => parseSeeds('0-2,1')), /--seeds "0-2,1": seed 1 is given twice/);
    assert.match(refusal(() => parseSeeds('4-2')), /range 4-2 runs backwards/);
    assert.match(refusal(() => parseSeeds('1.5')), /"1.5" is not a seed/);
    assert.match(refusal(() => parseSeeds('')), /"" is not a seed/);
    assert.match(refusal(() => parseSeeds('4294967296')), /not a seed/);
  });

  it('--grid values are JSON when they parse, else text; paths are dotted keys; seed and clashes are refused', () => {
    assert.deepEqual(parseGrid(['training.lr=0.5,0.1', 'model.activation=tanh,"relu"', 'data.flag=true,null']), [
      { path: 'training.lr', values: [0.5, 0.1] },
      { path: 'model.activation', values: ['tanh', 'relu'] },
      { path: 'data.flag', values: [true, null] },
    ]);
    assert.match(refusal(() => parseGrid(['training.lr'])), /expected key.path=value1,value2/);
    assert.match(refusal(() => parseGrid(['seed=1,2'])), /the seed is set by --seeds/);
    assert.match(refusal(() => parseGrid(['training.lr=0.1,0.10'])), /value 0.1 is given twice/);
    assert.match(refusal(() => parseGrid(['training.lr=0.1,'])), /an empty value/);
    assert.match(refusal(() => parseGrid(['training=1', 'training.lr=0.1'])), /training is given twice or contains another --grid path/);
    assert.match(refusal(() => parseGrid(['../x=1'])), /a dotted path/);
  });

  it('variants: the cartesian product (first axis slowest), named <key><value> joined by _, base without a grid', () => {
    assert.deepEqual(gridVariants([]), [{ name: 'base', overrides: {} }]);
    const variants = gridVariants(parseGrid(['training.lr=0.5,0.1', 'model.hidden=8,32']));
    assert.deepEqual(variants.map((v) => v.name), ['lr0.5_hidden8', 'lr0.5_hidden32', 'lr0.1_hidden8', 'lr0.1_hidden32']);
    assert.deepEqual(variants[1].overrides, { 'training.lr': 0.5, 'model.hidden': 32 });
    // Two axes ending in the same key: the whole path names them.
    assert.deepEqual(gridVariants(parseGrid(['a.lr=1', 'b.lr=2'])).map((v) => v.name), ['a.lr1_b.lr2']);
    // Text is kept to [A-Za-z0-9.-]; names that clash after that (or grow too long) fall back to v0, v1, …
    assert.deepEqual(gridVariants(parseGrid(['opt.name=a b,a/b'])).map((v) => v.name), ['v0', 'v1']);
    assert.deepEqual(gridVariants(parseGrid(['opt.name=sgd,adam w'])).map((v) => v.name), ['namesgd', 'nameadam-w']);
  });

  it('overrides set dotted paths on a copy, and refuse to run through a non-object', () => {
    const base = { seed: 0, training: { lr: 0.5, epochs: 40 }, model: { hidden: 16, extra: null } };
    assert.deepEqual(applyOverrides(base, { 'training.lr': 0.1, 'model.hidden': 8, 'model.extra': 1 }), { seed: 0, training: { lr: 0.1, epochs: 40 }, model: { hidden: 8, extra: 1 } });
    assert.deepEqual(applyOverrides(base, { model: { hidden: 4 } }), { seed: 0, training: { lr: 0.5, epochs: 40 }, model: { hidden: 4 } });
    assert.deepEqual(base, { seed: 0, training: { lr: 0.5, epochs: 40 }, model: { hidden: 16, extra: null } }, 'the base config is left as it is');
    assert.match(refusal(() => applyOverrides(base, { 'training.lr.x': 1 })), /--grid training.lr.x: the config's training.lr is 0.5, not an object/);
  });

  it('an override of a key the base config does not have is refused (a typo would be an unused key), with the closest key', () => {
    const base = { seed: 0, training: { lr: 0.5, epochs: 40 }, model: { hidden: 16 } };
    const advice = 'to vary a new key, add it to configs/default.json first';
    assert.equal(refusal(() => applyOverrides(base, { 'training.lrr': 0.1 }, '--grid', 'configs/default.json')), `--grid training.lrr: configs/default.json has no key training.lrr (did you mean training.lr?); ${advice}`);
    assert.equal(refusal(() => applyOverrides(base, { 'trainng.lr': 0.1 }, '--grid', 'configs/default.json')), `--grid trainng.lr: configs/default.json has no key trainng.lr (did you mean training.lr?); ${advice}`);
    assert.equal(refusal(() => applyOverrides(base, { 'optimizer.momentum': 0.9 }, '--grid', 'configs/default.json')), `--grid optimizer.momentum: configs/default.json has no key optimizer.momentum; ${advice}`);
    assert.equal(refusal(() => applyOverrides(base, { 'model.dropout': 0.1 })), '--grid model.dropout: the base config has no key model.dropout; to vary a new key, add it to the base config first');
  });

  it('a sweep whose --grid names a key its base config lacks is refused when its trial configs are made, before any is written', () => {
    const base = inMemoryConfig({ seed: 0, training: { lr: 0.5 } });
    const plan = buildSweepPlan({ name: 'bad', seeds: [0, 1], grid: parseGrid(['training.lrr=0.1']), command: null, baseConfig: base });
    assert.match(refusal(() => trialConfig(plan, base.config, plan.trials[0])), /^--grid training\.lrr: the base config has no key training\.lrr \(did you mean training\.lr\?\)/);
  });

  it('the plan: trials = variants × seeds, tags NAME-variant-sSEED, each trial config = base + overrides + seed', () => {
    const base = inMemoryConfig({ seed: 9, training: { lr: 0.5 } });
    const plan = buildSweepPlan({ name: 'abl', seeds: [0, 1, 2], grid: parseGrid(['training.lr=0.5,0.1']), command: null, baseConfig: base, now: new Date(0) });
    assert.deepEqual(plan.trials.map((t) => t.tag), ['abl-lr0.5-s0', 'abl-lr0.5-s1', 'abl-lr0.5-s2', 'abl-lr0.1-s0', 'abl-lr0.1-s1', 'abl-lr0.1-s2']);
    assert.deepEqual(trialConfig(plan, base.config, plan.trials[4]), { seed: 1, training: { lr: 0.1 } });
    assert.equal(plan.created_at, '1970-01-01T00:00:00.000Z');
    assert.match(refusal(() => buildSweepPlan({ name: 'bad/name', seeds: [0], grid: [], command: null, baseConfig: base })), /invalid NAME "bad\/name"/);
    assert.match(refusal(() => buildSweepPlan({ name: 'x'.repeat(125), seeds: [0], grid: [], command: null, baseConfig: base })), /invalid trial tag/);
  });

  it('trial commands: {seed}, {config}, {out} substituted in every argument; a command without {out} or without {seed}/{config} is refused', () => {
    assert.deepEqual(substituteCommand(['python', 'train.py', '--seed={seed}', '--config', '{config}', '--out', '{out}'], { seed: 3, config: 'c.json', out: 'o/t' }), [
      'python', 'train.py', '--seed=3', '--config', 'c.json', '--out', 'o/t',
    ]);
    assert.match(refusal(() => checkCommandTemplate(['python', 'train.py', '--seed', '{seed}'])), /never mentions \{out\}/);
    assert.match(refusal(() => checkCommandTemplate(['python', 'train.py', '--out', '{out}'])), /neither \{seed\} nor \{config\}/);
  });

  it('Slurm: an array job with one task per trial (every #SBATCH before the first command), an afterany aggregation, absolute node and bin', () => {
    const base = inMemoryConfig({ seed: 0 });
    const plan = buildSweepPlan({ name: 'abl', seeds: [0, 1, 2], grid: parseGrid(['training.lr=0.5,0.1']), command: null, baseConfig: base });
    const jobs = slurmJobs("/p/it's", plan, { node: '/opt/node/bin/node', bin: '/opt/dl-lab/dist/bin/dl-lab.js' }, { jobs: 2, sbatchArgs: ['--time=10'] });
    const lines = jobs.trials.text.split('\n');
    const firstCommand = lines.findIndex((line) => line !== '' && !line.startsWith('#'));
    assert.ok(lines.lastIndexOf('#SBATCH --array=0-5%2') < firstCommand, jobs.trials.text);
    assert.ok(lines.lastIndexOf('#SBATCH --open-mode=append') < firstCommand, 'a requeued task appends to its output file');
    assert.ok(lines.includes(`cd '/p/it'\\''s'`), jobs.trials.text);
    assert.ok(lines.includes(`exec '/opt/node/bin/node' '/opt/dl-lab/dist/bin/dl-lab.js' sweep 'abl' --task "$SLURM_ARRAY_TASK_ID"`), jobs.trials.text);
    assert.match(jobs.aggregate.text, /exec '\/opt\/node\/bin\/node' '\/opt\/dl-lab\/dist\/bin\/dl-lab.js' aggregate 'abl'\n$/);
    assert.deepEqual(sbatchCommands(jobs, '42').aggregate, ['sbatch', '--parsable', '--dependency=afterany:42', '--time=10', 'artifacts/experiments/abl/slurm-aggregate.sbatch']);
  });

  it('Slurm: a resumed sweep submits only the trials still to run, as an --array list with ranges', () => {
    assert.deepEqual([[0, 1, 2, 3, 4, 5], [1, 3, 4, 7], [2], [0, 2, 3, 4, 9, 10]].map(arraySpec), ['0-5', '1,3-4,7', '2', '0,2-4,9-10']);
    const base = inMemoryConfig({ seed: 0 });
    const plan = buildSweepPlan({ name: 'abl', seeds: [0, 1, 2], grid: parseGrid(['training.lr=0.5,0.1']), command: null, baseConfig: base });
    const jobs = slurmJobs('/p', plan, { node: '/n', bin: '/b' }, { jobs: 2, sbatchArgs: [], tasks: [1, 3, 4] });
    assert.deepEqual(jobs.tasks, [1, 3, 4]);
    assert.ok(jobs.trials.text.split('\n').includes('#SBATCH --array=1,3-4%2'), jobs.trials.text);
  });
});
