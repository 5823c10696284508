import type { BaseOptions } from 'yeoman-generator';
import { DlLabGenerator } from '../dl-lab-generator.js';
import { numberOption, optionValue, printSummary, recordedCommand, stringOption } from '../../core/cli-options.js';
import { startProvenanceCapture } from '../../core/commands/provenance.js';
import { UserError } from '../../core/errors.js';
import { sweepSummaryLines, taskSummaryLines } from '../../core/experiments/report-lines.js';
import { executeSweep, planSweep, runSweepTask, type SweepResult, type SweepSetup } from '../../core/experiments/sweep.js';
import type { TrialOutcome } from '../../core/experiments/run-trial.js';

/** `dl-lab sweep <NAME>`: every grid variant × every seed, each trial a sealed run, locally or as one Slurm array job. */
type SweepOptions = BaseOptions & { name?: string; seeds?: string; grid?: string | string[]; jobs?: number; config?: string; slurm?: boolean; task?: number; quiet?: boolean };

/** A repeatable string option: minimist gives one string, or an array when it is repeated. */
const repeated = (name: string, value: unknown): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => stringOption(name, v)!));

export default class SweepGenerator extends DlLabGenerator<Record<string, never>, SweepOptions> {
  private setup?: SweepSetup;
  private result?: SweepResult;
  private taskOutcome?: TrialOutcome;

  constructor(args: string[], options: SweepOptions) {
    super(args, options);
    this.argument('name', { type: String, required: true, description: 'Experiment name: trials are sealed as artifacts/runs/<NAME>-<variant>-s<seed>/' });
    this.option('seeds', { type: String, description: 'Seeds: a range and/or list, e.g. 0-4 or 0,3,7 (default: 0-4)' });
    this.option('grid', { type: String, description: 'A config override axis, key.path=v1,v2 (repeatable; trials = every combination × every seed)' });
    this.option('jobs', { type: Number, description: 'Trials at once (default: the cores; with --slurm: the array\'s limit on running tasks)' });
    this.option('config', { type: String, description: 'Base config (default: configs/default.json)' });
    this.option('slurm', { type: Boolean, description: 'Submit one Slurm array job (a task per trial) and a dependent aggregation job', default: false });
    this.option('sbatch-arg', { type: String, description: 'An sbatch option for both jobs, as --sbatch-arg=--time=10 (repeatable)' });
    this.option('dry-run', { type: Boolean, description: 'Print the trials (and with --slurm the job scripts and sbatch lines); write and submit nothing', default: false });
    this.option('task', { type: Number, description: 'Run trial I of an already planned sweep (what each Slurm array task runs)' });
    this.option('quiet', { type: Boolean, description: 'No progress line, only the final summary', default: false });
  }

  /**
   * The trial command: everything after `--` on the command line (minimist keeps it apart from the
   * options). Other words after NAME are refused rather than dropped: `yo` removes the `--` itself,
   * so without this check `yo dl-lab:sweep N -- python3 train.py …` would silently run the demo.
   */
  private trialCommand(): string[] {
    const separator = this._args.indexOf('--');
    if (separator >= 0) return this._args.slice(separator + 1);
    if (this.args.length > 1) {
      throw new UserError(
        `unexpected arguments after NAME: ${this.args.slice(1).join(' ')}; a trial command goes after \`--\` (dl-lab sweep NAME [options] -- <command>; yo removes the \`--\`, so run sweeps with a command through dl-lab)`,
        { field: '-- <command>' },
      );
    }
    return [];
  }

  async initializing(): Promise<void> {
    const name = String(this.options.name ?? '');
    const task = numberOption('task', this.options.task, 'non-negative-integer');
    if (task !== undefined) {
      this.taskOutcome = await runSweepTask(this.destinationRoot(), name, task, startProvenanceCapture, recordedCommand());
      return;
    }
    this.setup = planSweep({
      cwd: this.destinationRoot(),
      name,
      seeds: stringOption('seeds', this.options.seeds),
      grid: repeated('grid', this.options.grid),
      jobs: numberOption('jobs', this.options.jobs, 'positive'),
      config: stringOption('config', this.options.config),
      slurm: Boolean(this.options.slurm),
      sbatchArgs: repeated('sbatch-arg', optionValue(this.options, 'sbatch-arg')),
      dryRun: Boolean(optionValue(this.options, 'dry-run')),
      trialCommand: this.trialCommand(),
      command: recordedCommand(),
    });
  }

  async default(): Promise<void> {
    if (!this.setup) return;
    const root = this.setup.root;
    const progress = this.options.quiet ? { write: () => true } : process.stderr;
    this.result = await executeSweep(this.setup, () => startProvenanceCapture(root), progress);
  }

  end(): void {
    if (this.taskOutcome) {
      printSummary(taskSummaryLines(this.taskOutcome));
      // A trial that did not complete is sealed (so the task did its job) but the task reports it as Slurm state FAILED.
      if (this.taskOutcome.status !== 'completed') process.exitCode = 2;
      return;
    }
    if (!this.setup || !this.result) return;
    printSummary(sweepSummaryLines(this.setup, this.result));
    if (this.result.kind === 'local') {
      if (this.result.result.interrupted) process.exitCode = 130;
      else if (this.result.result.outcomes.some((o) => o.status !== 'completed')) process.exitCode = 2;
    }
  }
}
