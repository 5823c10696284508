import type { BaseOptions } from 'yeoman-generator';
import { DlLabGenerator } from '../dl-lab-generator.js';
import { numberOption, optionValue, printSummary, recordedCommand, stringOption } from '../../core/cli-options.js';
import { executeDemo, planDemo, type DemoOutcome, type DemoPlan } from '../../core/commands/demo.js';
import { dataNames } from '../../core/commands/datasets.js';
import { requireCleanTree, startProvenanceCapture, type CapturedProvenance } from '../../core/commands/provenance.js';
import { datasetsLabel, epochReporter, withHashingProgress } from '../../core/progress.js';
import { runSummaryLines } from '../../core/run/report-lines.js';

/** `dl-lab demo`: train the built-in MLP on the CPU, inside the generator lifecycle, and write a complete run. */
type DemoOptions = BaseOptions & { seed?: number; tag?: string; outDir?: string; epochs?: number; lr?: number; hidden?: number; config?: string; quiet?: boolean; data?: string | string[] };

export default class DemoGenerator extends DlLabGenerator<Record<string, never>, DemoOptions> {
  private plan!: DemoPlan;
  private provenance!: Promise<CapturedProvenance>;
  private outcome!: DemoOutcome;

  constructor(args: string[], options: DemoOptions) {
    super(args, options);
    this.option('seed', { type: Number, description: 'Seed for data, initialisation and batch order (default: the config\'s seed, 0)' });
    this.option('tag', { type: String, description: 'Run tag (default: demo-seed<N>)' });
    this.option('out-dir', { type: String, description: 'Write the run into this folder instead of artifacts/runs/<tag>/ (works outside a project)' });
    this.option('epochs', { type: Number, description: 'Override training.epochs' });
    this.option('lr', { type: Number, description: 'Override training.lr' });
    this.option('hidden', { type: Number, description: 'Override model.hidden (0 = logistic regression)' });
    this.option('config', { type: String, description: 'Experiment config (default: configs/default.json inside a project, built-in defaults elsewhere)' });
    this.option('data', { type: String, description: 'Registered dataset this run used (repeatable); its bytes are re-checked first' });
    this.option('allow-data-drift', { type: Boolean, description: 'Record changed dataset bytes in the manifest instead of refusing', default: false });
    this.option('require-clean', { type: Boolean, description: 'Refuse to run on uncommitted changes', default: false });
    this.option('quiet', { type: Boolean, description: 'Print only the final summary', default: false });
  }

  async initializing(): Promise<void> {
    const cwd = this.destinationRoot();
    const data = dataNames(this.options.data);
    this.plan = await withHashingProgress(process.stderr, datasetsLabel(data), Boolean(this.options.quiet), (onHashProgress) =>
      planDemo({
        cwd,
        seed: numberOption('seed', this.options.seed, 'integer'),
        tag: stringOption('tag', this.options.tag),
        outDir: stringOption('out-dir', optionValue(this.options, 'out-dir')),
        epochs: numberOption('epochs', this.options.epochs, 'positive-integer'),
        lr: numberOption('lr', this.options.lr, 'positive'),
        hidden: numberOption('hidden', this.options.hidden, 'non-negative-integer'),
        config: stringOption('config', this.options.config),
        data,
        onHashProgress,
        allowDataDrift: Boolean(optionValue(this.options, 'allow-data-drift')),
        command: recordedCommand(),
      }),
    );
    this.provenance = startProvenanceCapture(this.plan.target.project?.root ?? cwd);
    this.provenance.catch(() => {});
    if (optionValue(this.options, 'require-clean')) await requireCleanTree(this.provenance);
  }

  /** Training is the generator's main work, so it runs in the `default` queue, before `writing` publishes. */
  async default(): Promise<void> {
    const onEpoch = epochReporter(process.stderr, Boolean(this.options.quiet));
    this.outcome = await executeDemo(this.plan, this.provenance, { onEpoch });
  }

  end(): void {
    printSummary(runSummaryLines(this.outcome.published, this.plan.target));
  }
}
