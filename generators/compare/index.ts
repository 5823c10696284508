import type { BaseOptions } from 'yeoman-generator';
import { DlLabGenerator } from '../dl-lab-generator.js';
import { optionValue, printSummary } from '../../core/cli-options.js';
import { comparisonLines, notComparableBanner, verificationWarnings } from '../../core/compare/compare-lines.js';
import { compareExitCode, compareRuns, type Comparison } from '../../core/compare/compare-runs.js';
import { resolveRun } from '../../core/compare/run-record.js';
import { parseTolerance } from '../../core/compare/tolerance.js';
import { stringifyJson } from '../../core/json-file.js';
import { UserError } from '../../core/errors.js';
import { compareVariants, isExperimentArgument, parseAlpha, type VariantComparison } from '../../core/experiments/compare-variants.js';
import { variantComparisonLines, variantExitCode, variantWarnings } from '../../core/experiments/compare-variant-lines.js';

/** `dl-lab compare <A> <B>`: two runs side by side; with --fail-on-regression, a CI gate. Read-only. */
type CompareOptions = BaseOptions & { A?: string; B?: string; tolerance?: string | number; alpha?: string | number; json?: boolean };

export default class CompareGenerator extends DlLabGenerator<Record<string, never>, CompareOptions> {
  private comparison!: Comparison;
  /** Set instead of `comparison` when A and B are experiment variants (`NAME:variant`). */
  private variants?: VariantComparison;
  private failOnRegression = false;

  constructor(args: string[], options: CompareOptions) {
    super(args, options);
    this.argument('A', { type: String, required: true, description: 'The reference run: a tag (artifacts/runs/<A>/) or a run folder' });
    this.argument('B', { type: String, required: true, description: 'The run judged against A' });
    this.option('fail-on-regression', { type: Boolean, description: "Exit 2 when B's primary metric is worse than A's beyond --tolerance (3 when that cannot be decided)", default: false });
    this.option('tolerance', { type: String, description: 'Allowed worsening of the primary metric: absolute (0.01) or relative to A (5%); default 0' });
    this.option('alpha', { type: String, description: 'Experiments (NAME:variant): significance level of --fail-on-regression (Welch p-value), default 0.05' });
    this.option('json', { type: Boolean, description: 'Print the comparison as one JSON document on stdout', default: false });
  }

  async initializing(): Promise<void> {
    const cwd = this.destinationRoot();
    this.failOnRegression = Boolean(optionValue(this.options, 'fail-on-regression'));
    const [givenA, givenB] = [String(this.options.A ?? ''), String(this.options.B ?? '')];
    if (isExperimentArgument(cwd, givenA) || isExperimentArgument(cwd, givenB)) {
      // Experiments gate on significance, runs on a tolerance: an option of the other kind would be silently ignored.
      if (this.options.tolerance !== undefined) throw new UserError('--tolerance compares two runs; experiment variants gate on significance (--alpha)', { field: '--tolerance' });
      this.variants = await compareVariants(cwd, givenA, givenB, parseAlpha(this.options.alpha));
      return;
    }
    if (this.options.alpha !== undefined) throw new UserError('--alpha compares experiment variants (NAME:variant); two runs gate on --tolerance', { field: '--alpha' });
    const tolerance = parseTolerance(this.options.tolerance, 'absolute', { kind: 'absolute', value: 0 });
    const [a, b] = await Promise.all([resolveRun(cwd, String(this.options.A ?? ''), 'A'), resolveRun(cwd, String(this.options.B ?? ''), 'B')]);
    this.comparison = compareRuns(a, b, tolerance);
  }

  end(): void {
    if (this.variants) {
      const exitCode = variantExitCode(this.variants, this.failOnRegression);
      const warnings = variantWarnings(this.variants);
      if (warnings.length > 0) process.stderr.write(`${warnings.join('\n')}\n`);
      if (this.options.json) process.stdout.write(stringifyJson({ ...this.variants, fail_on_regression: this.failOnRegression, exit_code: exitCode }));
      else printSummary(variantComparisonLines(this.variants, this.failOnRegression));
      if (exitCode !== 0) process.exitCode = exitCode;
      return;
    }
    const exitCode = compareExitCode(this.comparison, this.failOnRegression);
    const warnings = [...verificationWarnings(this.comparison), ...notComparableBanner(this.comparison)];
    if (warnings.length > 0) process.stderr.write(`${warnings.join('\n')}\n`);
    if (this.options.json) process.stdout.write(stringifyJson({ ...this.comparison, fail_on_regression: this.failOnRegression, exit_code: exitCode }));
    else printSummary(comparisonLines(this.comparison, this.failOnRegression));
    if (exitCode !== 0) process.exitCode = exitCode;
  }
}
