import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatViolation } from '../../core/contract/validate.js';
import { isHistoryTable } from '../../core/history-table.js';
import { collectReportRuns } from '../../core/report/report-data.js';
import { TABLE_ANALYSIS_BYTES } from '../../core/run/analysis-document.js';
import { verifyWithDocuments } from '../../core/verify/verify-with-documents.js';
import { verifyRun } from '../../core/verify/verify-run.js';
import { resealRun } from '../helpers/experiments.js';
import { cleanupTempDirs } from '../helpers/fs.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';
import { metricsFile, sealMetricsRun, tamperRunFile } from '../helpers/runs.js';

/** verify of a run whose analysis.json is large enough to be read with its history as a table (core/run/analysis-document.ts). */
describe('verify of a run logged every step (its history read as a table)', () => {
  let root: string;
  const history = Array.from({ length: 20_000 }, (_, step) => ({ epoch: step, loss: 1 / (step + 1), ...(step % 100 === 0 ? { val_loss: 2 / (step + 1) } : {}) }));

  before(async () => {
    root = await scaffoldProject();
    await sealMetricsRun(root, 'long', metricsFile(0.9, 0.1, { history }));
    await sealMetricsRun(root, 'long-2', metricsFile(0.9, 0.1, { history }));
  });
  after(cleanupTempDirs);

  it('passes, and hands out the history as a table holding exactly the sealed rows', async () => {
    const path = join(runDirOf(root, 'long'), 'analysis.json');
    assert.ok(statSync(path).size >= TABLE_ANALYSIS_BYTES, 'large enough to be read as a table');
    const { verification, documents } = await verifyWithDocuments(verifyRun, root, runDirOf(root, 'long'));
    assert.deepEqual(verification.problems, []);
    const analysis = documents?.analysis as { history: unknown };
    assert.ok(isHistoryTable(analysis.history));
    assert.deepEqual(analysis.history.toJSON(), JSON.parse(readFileSync(path, 'utf8')).history);
    assert.deepEqual(analysis.history.toJSON(), history);
  });

  it('the report draws its curves from the table', async () => {
    const [entry] = (await collectReportRuns(root)).filter(({ run }) => run.tag === 'long');
    assert.equal(entry.run.verify.ok, true);
    assert.ok(entry.run.curves, 'curves drawn');
  });

  it('a row made invalid and re-sealed is named as in any document; a row edited and re-sealed still verifies (nothing to check it against)', async () => {
    tamperRunFile(root, 'long-2', 'analysis.json', (text) => {
      const analysis = JSON.parse(text);
      analysis.history[19_000].loss = 'low';
      return `${JSON.stringify(analysis, null, 2)}\n`;
    });
    resealRun(root, 'long-2');
    assert.deepEqual((await verifyTag(root, 'long-2')).problems.map(formatViolation), ['artifacts/runs/long-2/analysis.json: /history/19000/loss: must be number']);
    tamperRunFile(root, 'long-2', 'analysis.json', (text) => text.replace('"loss": "low"', '"loss": 0.25'));
    resealRun(root, 'long-2');
    assert.equal((await verifyTag(root, 'long-2')).ok, true);
  });
});
