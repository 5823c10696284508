import type { BaseOptions } from 'yeoman-generator';
import { DlLabGenerator } from '../dl-lab-generator.js';
import { optionValue, printSummary, recordedCommand, stringOption } from '../../core/cli-options.js';
import { startProvenanceCapture, type CapturedProvenance } from '../../core/commands/provenance.js';
import { parseTolerance, type Tolerance } from '../../core/compare/tolerance.js';
import { stringifyJson } from '../../core/json-file.js';
import { epochReporter } from '../../core/progress.js';
import { executeExperimentReproduction, planMemberReproductions, type ExperimentReproduction } from '../../core/reproduce/reproduce-experiment.js';
import { configWarning, experimentReproduceJson, experimentReproduceLines, reproduceJson, reproduceLines } from '../../core/reproduce/reproduce-lines.js';
import { planReproduce, type ReproducePlan } from '../../core/reproduce/reproduce-plan.js';
import { executeReproduce, type ReproduceOutcome } from '../../core/reproduce/reproduce-run.js';

/** `dl-lab reproduce <TAG>`: re-run a run from its manifest alone into a new tag, and check what came back. */
type ReproduceOptions = BaseOptions & { tag?: string; as?: string; tolerance?: string | number; json?: boolean; quiet?: boolean };

/** Relative 1e-9: a float64 computed in another order may differ in its last bits, never more. */
const DEFAULT_TOLERANCE: Tolerance = { kind: 'relative', value: 1e-9 };

export default class ReproduceGenerator extends DlLabGenerator<Record<string, never>, ReproduceOptions> {
  private plan!: ReproducePlan;
  private tolerance!: Tolerance;
  private provenance: Promise<CapturedProvenance> | undefined;
  private outcome!: ReproduceOutcome;
  /** An experiment record whose members dl-lab can all re-run: their plans, then the result. */
  private memberPlans: ReproducePlan[] | undefined;
  private experiment: ExperimentReproduction | undefined;

  constructor(args: string[], options: ReproduceOptions) {
    super(args, options);
    this.argument('tag', { type: String, required: true, description: 'The run to reproduce: a tag (artifacts/runs/<TAG>/) or a run folder' });
    this.option('as', { type: String, description: 'Tag of the new run (default: <TAG>-repro, or -repro2, … if taken)' });
    this.option('out-dir', { type: String, description: 'Write the new run into this folder instead of artifacts/runs/<NEW_TAG>/ (needed outside a project)' });
    this.option('tolerance', { type: String, description: 'Relative tolerance for metrics, results and history (1e-9, or 1e-7%); default 1e-9' });
    this.option('json', { type: Boolean, description: 'Print the report as one JSON document on stdout', default: false });
    this.option('quiet', { type: Boolean, description: 'No training progress on stderr', default: false });
  }

  async initializing(): Promise<void> {
    const cwd = this.destinationRoot();
    this.tolerance = parseTolerance(this.options.tolerance, 'relative', DEFAULT_TOLERANCE);
    this.plan = await planReproduce({
      cwd,
      source: String(this.options.tag ?? ''),
      as: stringOption('as', this.options.as),
      outDir: stringOption('out-dir', optionValue(this.options, 'out-dir')),
      command: recordedCommand(),
    });
    if (this.plan.kind === 'experiment') this.memberPlans = await planMemberReproductions(this.plan, recordedCommand());
    if (this.plan.demo) {
      this.provenance = startProvenanceCapture(this.plan.demo.target.project?.root ?? cwd);
      this.provenance.catch(() => {});
    }
  }

  /** Training is the main work, as in `demo`; nothing runs for a run dl-lab cannot re-execute. */
  async default(): Promise<void> {
    const warning = configWarning(this.plan.config);
    if (warning) process.stderr.write(`${warning}\n`);
    const onEpoch = epochReporter(process.stderr, Boolean(this.options.quiet) || Boolean(this.options.json));
    if (this.memberPlans) this.experiment = await executeExperimentReproduction(this.plan, this.memberPlans, this.tolerance, { onEpoch });
    else this.outcome = await executeReproduce(this.plan, this.provenance, this.tolerance, { onEpoch });
  }

  end(): void {
    if (this.experiment) {
      if (this.options.json) process.stdout.write(stringifyJson(experimentReproduceJson(this.plan, this.experiment, this.tolerance)));
      else printSummary(experimentReproduceLines(this.plan, this.experiment, this.tolerance));
      if (this.experiment.exitCode !== 0) process.exitCode = this.experiment.exitCode;
      return;
    }
    if (this.options.json) process.stdout.write(stringifyJson(reproduceJson(this.plan, this.outcome, this.tolerance)));
    else printSummary(reproduceLines(this.plan, this.outcome, this.tolerance));
    if (this.outcome.exitCode !== 0) process.exitCode = this.outcome.exitCode;
  }
}
