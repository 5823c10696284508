import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../atomic-write.js';
import { requireProject } from '../project.js';
import { collectReportRuns } from './report-data.js';
import { REPORT_MARKER, renderReportParts, type ReportAssets } from './report-html.js';

/** Where the report goes, relative to the project root (a generated file, replaced on every run). */
export const REPORT_PATH = 'artifacts/report.html';

export interface ReportOptions {
  cwd: string;
  /** The folder holding report.css and report.js (the report generator's templates/). */
  assetsDir: string;
  /** Replace artifacts/report.html even if dl-lab did not write it. */
  force?: boolean;
  now?: Date;
}

export interface WrittenReport { path: string; runs: number; failed: number }

const readAssets = (dir: string): ReportAssets => ({
  css: readFileSync(join(dir, 'report.css'), 'utf8'),
  js: readFileSync(join(dir, 'report.js'), 'utf8'),
});

/** A previous report is ours to replace; any other file at that path is the user's and is never overwritten silently. */
const assertReplaceable = (path: string, force: boolean): void => {
  if (force || !existsSync(path)) return;
  if (!readFileSync(path, 'utf8').includes(REPORT_MARKER)) {
    throw new UserError(`${REPORT_PATH} exists and was not written by dl-lab report; move it away or pass --force to replace it`, { file: REPORT_PATH, field: '--force' });
  }
};

/** Read and verify every run of the project and write artifacts/report.html atomically (readers never see half a page). */
export const writeReport = async (options: ReportOptions): Promise<WrittenReport> => {
  const { root, settings } = requireProject(options.cwd);
  const path = join(root, REPORT_PATH);
  assertReplaceable(path, Boolean(options.force));
  const assets = readAssets(options.assetsDir);
  const entries = await collectReportRuns(root);
  const parts = renderReportParts({ projectName: settings.name, generatedAt: options.now ?? new Date(), entries, assets });
  await writeFileAtomic(path, parts);
  return { path, runs: entries.length, failed: entries.filter((entry) => !entry.run.verify.ok).length };
};
