import type { BaseOptions } from 'yeoman-generator';
import { relative } from 'node:path';
import { DlLabGenerator } from '../dl-lab-generator.js';
import { printSummary } from '../../core/cli-options.js';
import { writeReport, type WrittenReport } from '../../core/report/write-report.js';

/** `dl-lab report`: write artifacts/report.html, one static page about every run of the project. */
type ReportOptions = BaseOptions & { force?: boolean };

export default class ReportGenerator extends DlLabGenerator<Record<string, never>, ReportOptions> {
  private written!: WrittenReport;

  constructor(args: string[], options: ReportOptions) {
    super(args, options);
    this.option('force', { type: Boolean, description: 'Replace artifacts/report.html even if dl-lab did not write it', default: false });
  }

  /** Written by the core (atomically, replacing the previous report), not through Yeoman's conflict-checked file system. */
  async writing(): Promise<void> {
    this.written = await writeReport({ cwd: this.destinationRoot(), assetsDir: this.templatePath(), force: Boolean(this.options.force) });
  }

  end(): void {
    const { path, runs, failed } = this.written;
    printSummary([
      `wrote ${relative(process.cwd(), path) || path} (${runs} run${runs === 1 ? '' : 's'}${failed ? `, ${failed} FAILING verification` : ', all verified'})`,
      `open it in a browser: file://${path}`,
    ]);
  }
}
