import type { BaseOptions } from 'yeoman-generator';
import { numberOption, printSummary, stringOption } from '../../core/cli-options.js';
import { UserError } from '../../core/errors.js';
import { requireProject } from '../../core/project.js';
import { listRuns, type RunsTable } from '../../core/runs/list-runs.js';
import { runsCsv, runsJson, runsTableLines } from '../../core/runs/runs-output.js';
import { DlLabGenerator } from '../dl-lab-generator.js';

type RunsOptions = BaseOptions & { columns?: string; where?: string | string[] | string[][]; sort?: string; limit?: unknown; json?: boolean; csv?: boolean };

/** `dl-lab runs`: the project's runs as a table, filtered and sorted. Read-only; reads only the documents it needs. */
export default class RunsGenerator extends DlLabGenerator<Record<string, never>, RunsOptions> {
  private table!: RunsTable;
  // `--sort -test_accuracy`: a leading '-' sorts descending.
  protected override readonly optionsWithDashedValues = new Set(['sort']);

  constructor(args: string[], options: RunsOptions) {
    super(args, options);
    this.option('columns', { type: String, description: 'Comma-separated fields to show (default: tag,created,status,primary_metric,primary)' });
    this.option('where', { type: Array, description: 'FIELD OP VALUE, OP one of = != > >= < <= ~ !~ (repeatable: all must hold)' });
    this.option('sort', { type: String, description: 'Comma-separated fields to sort by; -field for descending' });
    this.option('limit', { type: Number, description: 'Show at most this many runs (after sorting)' });
    this.option('json', { type: Boolean, description: 'Print one JSON document on stdout', default: false });
    this.option('csv', { type: Boolean, description: 'Print CSV on stdout', default: false });
  }

  async default(): Promise<void> {
    if (this.options.json && this.options.csv) throw new UserError('--json and --csv: choose one output format', { field: '--csv' });
    const { root } = requireProject(this.destinationRoot());
    // An Array option keeps each --where whole (a String option joins repeats with commas, which a regex may hold).
    const where = [this.options.where ?? []].flat(2);
    this.table = await listRuns(root, {
      columns: stringOption('columns', this.options.columns),
      where: where.map((expression) => stringOption('where', expression) as string),
      sort: stringOption('sort', this.options.sort),
      limit: numberOption('limit', this.options.limit, 'positive-integer'),
    });
  }

  end(): void {
    if (this.options.json) process.stdout.write(runsJson(this.table));
    else if (this.options.csv) process.stdout.write(runsCsv(this.table));
    else printSummary(runsTableLines(this.table));
  }
}
