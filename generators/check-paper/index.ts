import type { BaseOptions } from 'yeoman-generator';
import { DlLabGenerator } from '../dl-lab-generator.js';
import { printSummary } from '../../core/cli-options.js';
import { UserError } from '../../core/errors.js';
import { stringifyJson } from '../../core/json-file.js';
import { checkPaper, paperReportLines, type PaperReport } from '../../core/paper/check-paper.js';

/** `dl-lab check-paper <files…>`: every cited run verified, every results number traced to a run. Read-only. */
type CheckPaperOptions = BaseOptions & { files?: string[]; json?: boolean };

export default class CheckPaperGenerator extends DlLabGenerator<Record<string, never>, CheckPaperOptions> {
  private report!: PaperReport;

  constructor(args: string[], options: CheckPaperOptions) {
    super(args, options);
    this.argument('files', { type: Array, required: false, description: 'Drafts to check: .tex and .md files' });
    this.option('json', { type: Boolean, description: 'Print the report as one JSON document on stdout ({ok, files, violations, …})', default: false });
  }

  async default(): Promise<void> {
    this.report = await checkPaper(this.destinationRoot(), this.options.files ?? []);
  }

  end(): void {
    const { report } = this;
    if (this.options.json) process.stdout.write(stringifyJson(report));
    else if (report.ok) printSummary(paperReportLines(report));
    if (!report.ok) {
      const first = report.violations[0];
      // Without --json the violations are the error's lines (stderr, exit 1, also under yo).
      throw new UserError(
        `${report.violations.length} violation(s) in ${new Set(report.violations.map((v) => v.file)).size} draft(s)${this.options.json ? ' (see the JSON report)' : ''}`,
        { file: first.file, field: `${first.line}:${first.column}`, details: this.options.json ? [] : paperReportLines(report) },
      );
    }
  }
}
