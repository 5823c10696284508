import type { BaseOptions } from 'yeoman-generator';
import { printSummary, recordedCommand } from '../../core/cli-options.js';
import { stringifyJson } from '../../core/json-file.js';
import { requireProject } from '../../core/project.js';
import { aggregateExperiment, type AggregateResult } from '../../core/experiments/aggregate.js';
import { aggregateSummaryLines } from '../../core/experiments/aggregate-lines.js';
import { DlLabGenerator } from '../dl-lab-generator.js';

type AggregateOptions = BaseOptions & { name?: string; json?: boolean };

/** `dl-lab aggregate NAME`: seal the statistics of an experiment's member runs as a run-shaped record. */
export default class AggregateGenerator extends DlLabGenerator<Record<string, never>, AggregateOptions> {
  private result!: AggregateResult;

  constructor(args: string[], options: AggregateOptions) {
    super(args, options);
    this.argument('name', { type: String, required: true, description: 'Experiment name (the NAME of dl-lab sweep)' });
    this.option('json', { type: Boolean, description: "Print the record's experiment.json on stdout", default: false });
  }

  async writing(): Promise<void> {
    const { root } = requireProject(this.destinationRoot());
    this.result = await aggregateExperiment(root, String(this.options.name ?? ''), { command: recordedCommand() });
  }

  end(): void {
    if (this.options.json) process.stdout.write(stringifyJson(this.result.documents.experiment));
    else printSummary(aggregateSummaryLines(this.result));
  }
}
