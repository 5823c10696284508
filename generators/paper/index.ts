import { resolve } from 'node:path';
import type { BaseOptions } from 'yeoman-generator';
import { DlLabGenerator } from '../dl-lab-generator.js';
import { numberOption, printSummary, stringOption } from '../../core/cli-options.js';
import { UserError } from '../../core/errors.js';
import { MAX_SIGNIFICANT_DIGITS } from '../../core/paper/format-value.js';
import {
  DEFAULT_MACROS_FILE,
  assertWritableResultsFile,
  renderResultsFile,
  meanSpreadEntries,
  resultEntries,
  writeResultsFile,
  type MacrosFormat,
} from '../../core/paper/results-macros.js';
import { requireCitableRuns, type CitableRun } from '../../core/paper/runs.js';
import { SPREADS, parseSpread, type Spread } from '../../core/paper/spread.js';
import { requireProject, relativeInside, validateTag } from '../../core/project.js';
import { listRunTags } from '../../core/verify/verify-project.js';

/** `dl-lab paper <TAG…>`: one LaTeX (or Markdown) macro per result of verified runs. */
type PaperOptions = BaseOptions & { tags?: string[]; out?: string; format?: string; digits?: number; spread?: string };

export default class PaperGenerator extends DlLabGenerator<Record<string, never>, PaperOptions> {
  private plan!: { root: string; out: string; label: string; format: MacrosFormat; digits?: number; spread: Spread; runs: CitableRun[]; regenerate: boolean };

  constructor(args: string[], options: PaperOptions) {
    super(args, options);
    this.argument('tags', { type: Array, required: false, description: 'Runs whose results to define (artifacts/runs/<TAG>/); each must pass dl-lab verify' });
    this.option('out', { type: String, description: `File to write (default: ${DEFAULT_MACROS_FILE.tex}, or ${DEFAULT_MACROS_FILE.md} with --format md, at the project root)` });
    this.option('format', { type: String, description: 'tex (LaTeX macros, default) or md (a Markdown table for Markdown drafts)' });
    this.option('digits', { type: Number, description: `Significant digits of every value, overriding each metric's display_digits (1-${MAX_SIGNIFICANT_DIGITS})` });
    this.option('spread', { type: String, description: `Experiment records: the spread of \\dlresultpm's "mean \\pm spread", ${SPREADS.join('|')} (ci95: half-width of the 95% CI; default std)` });
  }

  async initializing(): Promise<void> {
    const cwd = this.destinationRoot();
    const { root } = requireProject(cwd);
    const tags = (this.options.tags ?? []).map((tag) => validateTag(tag));
    if (tags.length === 0) {
      const existing = await listRunTags(root);
      throw new UserError(
        `give the runs to cite: npx dl-lab paper <TAG…>${existing.length ? ` (runs of this project: ${existing.join(', ')})` : ' (this project has no run yet: npx dl-lab demo --seed 0)'}`,
        { field: 'TAG' },
      );
    }
    const outOption = stringOption('out', this.options.out);
    const formatOption = stringOption('format', this.options.format);
    if (formatOption !== undefined && formatOption !== 'tex' && formatOption !== 'md') {
      throw new UserError(`--format must be tex or md, got ${JSON.stringify(formatOption)}`, { field: '--format' });
    }
    const outFormat = outOption === undefined ? undefined : /\.(md|markdown)$/i.test(outOption) ? 'md' : /\.tex$/i.test(outOption) ? 'tex' : undefined;
    if (formatOption && outFormat && formatOption !== outFormat) {
      throw new UserError(`--out ${outOption} is a .${outFormat} file but --format is ${formatOption}`, { field: '--out' });
    }
    const format: MacrosFormat = (formatOption ?? outFormat ?? 'tex') as MacrosFormat;
    const digits = numberOption('digits', this.options.digits, 'non-negative-integer');
    if (digits !== undefined && (digits < 1 || digits > MAX_SIGNIFICANT_DIGITS)) {
      throw new UserError(`--digits must be an integer from 1 to ${MAX_SIGNIFICANT_DIGITS}, got ${digits}`, { field: '--digits' });
    }
    const out = outOption === undefined ? resolve(root, DEFAULT_MACROS_FILE[format]) : resolve(cwd, outOption);
    const label = relativeInside(root, out) ?? out;
    const { regenerate } = assertWritableResultsFile(root, out, label);
    const spread = parseSpread(stringOption('spread', this.options.spread));
    const runs = await requireCitableRuns(root, tags);
    this.plan = { root, out, label, format, digits, spread, runs, regenerate };
  }

  async writing(): Promise<void> {
    const { out, format, digits, spread, runs } = this.plan;
    await writeResultsFile(out, renderResultsFile(format, runs, { digits, spread }));
  }

  end(): void {
    const { label, format, runs, regenerate, digits, spread } = this.plan;
    const pms = meanSpreadEntries(runs, spread);
    const count = resultEntries(runs, digits).length;
    const example = runs.find((run) => Object.keys(run.results).length > 0);
    const key = !example ? '<key>' : Object.hasOwn(example.results, example.primaryMetric) ? example.primaryMetric : Object.keys(example.results).sort()[0];
    printSummary([
      `${regenerate ? 'regenerated' : 'wrote'} ${label}: ${count} result(s) of ${runs.length} verified run(s) (${runs.map((run) => run.tag).join(', ')})`,
      format === 'tex'
        ? `use: \\input{${label.replace(/\.tex$/, '')}} in the preamble, then \\dlresult{${example?.tag ?? '<TAG>'}}{${key}} in the text`
        : `quote the values as written there; check drafts with: npx dl-lab check-paper <draft.md>`,
      ...(pms.length > 0 ? [`experiments: ${pms.length} \\dlresultpm (mean \\pm ${spread}), e.g. \\dlresultpm{${pms[0].tag}}{${pms[0].base}} = ${pms[0].text.mean} \\pm ${pms[0].text.spread}`] : []),
      ...(runs.some((run) => run.demo) ? ['note: demo runs carry demo or placeholder numbers, not research results'] : []),
    ]);
  }
}
