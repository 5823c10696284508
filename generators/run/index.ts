import type { BaseOptions } from 'yeoman-generator';
import { DlLabGenerator } from '../dl-lab-generator.js';
import { optionValue, printSummary, recordedCommand, stringOption } from '../../core/cli-options.js';
import { dataNames } from '../../core/commands/datasets.js';
import { requireCleanTree, startProvenanceCapture, type CapturedProvenance } from '../../core/commands/provenance.js';
import { executeRecord, planRecord, type RecordPlan } from '../../core/commands/record.js';
import { datasetsLabel, withHashingProgress } from '../../core/progress.js';
import type { PublishedRun } from '../../core/run/publish.js';
import { outcomeLines, statusOption } from '../../core/run/run-status.js';
import { runSummaryLines } from '../../core/run/report-lines.js';

/** `dl-lab run <TAG>`: seal what the user's own training wrote into artifacts/runs/<TAG>/. */
type RunOptions = BaseOptions & { tag?: string; config?: string; metrics?: string; checkpoint?: string; quiet?: boolean; data?: string | string[]; status?: string; parent?: string };

export default class RunGenerator extends DlLabGenerator<Record<string, never>, RunOptions> {
  private plan!: RecordPlan;
  private provenance!: Promise<CapturedProvenance>;
  private published!: PublishedRun;

  constructor(args: string[], options: RunOptions) {
    super(args, options);
    this.argument('tag', { type: String, required: true, description: 'Run tag: artifacts/runs/<TAG>/ (A-Z a-z 0-9 . _ -)' });
    this.option('config', { type: String, description: 'Experiment config (default: configs/default.json)' });
    this.option('metrics', { type: String, description: "Metrics file your training wrote (schemas/metrics-input.schema.json); without it, a wiring run with placeholder numbers" });
    this.option('checkpoint', { type: String, description: 'Checkpoint file to copy into the run (overrides best_checkpoint.path)' });
    this.option('move-checkpoint', { type: Boolean, description: 'Move the checkpoint into the run instead of copying it (same filesystem; hashed once)', default: false });
    this.option('data', { type: String, description: 'Registered dataset this run used (repeatable); its bytes are re-checked first' });
    this.option('allow-data-drift', { type: Boolean, description: 'Record changed dataset bytes in the manifest instead of refusing', default: false });
    this.option('require-clean', { type: Boolean, description: 'Refuse to run on uncommitted changes', default: false });
    this.option('quiet', { type: Boolean, description: 'Print only the final summary', default: false });
    this.option('status', { type: String, description: 'How training ended when the metrics file cannot say: interrupted or failed (never upgrades a run to completed)' });
    this.option('status-reason', { type: String, description: 'Why it did not complete (with --status)' });
    this.option('parent', { type: String, description: 'Tag of the run whose checkpoint this training resumed from' });
  }

  async initializing(): Promise<void> {
    const data = dataNames(this.options.data);
    this.plan = await withHashingProgress(process.stderr, datasetsLabel(data), Boolean(this.options.quiet), (onHashProgress) =>
      planRecord({
        cwd: this.destinationRoot(),
        tag: String(this.options.tag ?? ''),
        config: stringOption('config', this.options.config),
        metrics: stringOption('metrics', this.options.metrics),
        checkpoint: stringOption('checkpoint', this.options.checkpoint),
        moveCheckpoint: Boolean(optionValue(this.options, 'move-checkpoint')),
        data,
        onHashProgress,
        allowDataDrift: Boolean(optionValue(this.options, 'allow-data-drift')),
        command: recordedCommand(),
        status: statusOption(this.options.status),
        statusReason: stringOption('status-reason', optionValue(this.options, 'status-reason')),
        parent: stringOption('parent', this.options.parent),
        beforeDataCheck: (root) => {
          this.provenance = startProvenanceCapture(root);
          // An unawaited rejection would crash the process before `writing` can report it.
          this.provenance.catch(() => {});
        },
      }),
    );
    if (optionValue(this.options, 'require-clean')) await requireCleanTree(this.provenance);
  }

  async writing(): Promise<void> {
    const { plan, provenance } = this;
    this.published = await withHashingProgress(process.stderr, `checkpoint ${plan.checkpointGiven}`, Boolean(this.options.quiet), (onCheckpointProgress) =>
      executeRecord(plan, provenance, { onCheckpointProgress }),
    );
  }

  end(): void {
    const lines = runSummaryLines(this.published, this.plan.target);
    // A run that did not complete is a record, not a source of citable numbers.
    const completed = this.plan.outcome.status === 'completed';
    printSummary(completed ? lines : [...lines.filter((line) => !line.startsWith('cite numbers as ')), ...outcomeLines(this.plan.outcome)]);
  }
}
