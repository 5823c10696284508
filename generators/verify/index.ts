import type { BaseOptions } from 'yeoman-generator';
import { printSummary } from '../../core/cli-options.js';
import { formatViolation } from '../../core/contract/validate.js';
import { UserError } from '../../core/errors.js';
import { stringifyJson } from '../../core/json-file.js';
import { requireProject } from '../../core/project.js';
import { verificationJson, verificationLines } from '../../core/verify/report.js';
import { verifyProject, type ProjectVerification } from '../../core/verify/verify-project.js';
import { DlLabGenerator } from '../dl-lab-generator.js';

type VerifyOptions = BaseOptions & { tags?: string[]; json?: boolean };

/** `dl-lab verify [TAG…]`: check that runs are exactly as sealed. Read-only. */
export default class VerifyGenerator extends DlLabGenerator<Record<string, never>, VerifyOptions> {
  private result!: ProjectVerification;

  constructor(args: string[], options: VerifyOptions) {
    super(args, options);
    this.argument('tags', { type: Array, required: false, description: 'Runs to check (default: every run of the project)' });
    this.option('json', { type: Boolean, description: 'Print a machine-readable report on stdout', default: false });
  }

  async default(): Promise<void> {
    const { root } = requireProject(this.destinationRoot());
    this.result = await verifyProject(root, this.options.tags ?? []);
  }

  end(): void {
    if (this.options.json) process.stdout.write(stringifyJson(verificationJson(this.result)));
    else printSummary(verificationLines(this.result));
    const failed = this.result.runs.filter((run) => !run.ok);
    if (failed.length > 0) {
      const problems = failed.flatMap((run) => run.problems);
      throw new UserError(`${failed.length} run(s) failed verification: ${failed.map((run) => run.tag).join(', ')}`, {
        file: problems[0]?.file,
        field: problems[0]?.pointer,
        details: [...problems.slice(0, 20).map(formatViolation), ...(problems.length > 20 ? [`… ${problems.length - 20} more above`] : [])],
      });
    }
  }
}
