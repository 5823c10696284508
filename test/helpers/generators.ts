import { fileURLToPath } from 'node:url';
import helpers, { type RunResult } from 'yeoman-test';
import AppGenerator from '../../generators/app/index.js';
import DemoGenerator from '../../generators/demo/index.js';
import RunGenerator from '../../generators/run/index.js';
import VerifyGenerator from '../../generators/verify/index.js';
import CompareGenerator from '../../generators/compare/index.js';
import ReproduceGenerator from '../../generators/reproduce/index.js';
import ReportGenerator from '../../generators/report/index.js';
import PaperGenerator from '../../generators/paper/index.js';
import CheckPaperGenerator from '../../generators/check-paper/index.js';
import DataGenerator from '../../generators/data/index.js';
import RunsGenerator from '../../generators/runs/index.js';
import SweepGenerator from '../../generators/sweep/index.js';
import AggregateGenerator from '../../generators/aggregate/index.js';

const classes = { app: AppGenerator, run: RunGenerator, demo: DemoGenerator, verify: VerifyGenerator, compare: CompareGenerator, reproduce: ReproduceGenerator, report: ReportGenerator, paper: PaperGenerator, 'check-paper': CheckPaperGenerator, data: DataGenerator, runs: RunsGenerator, sweep: SweepGenerator, aggregate: AggregateGenerator } as const;
export type GeneratorName = keyof typeof classes;

/**
 * Run one of our generators (yeoman-test's default `force: true` is turned off: we test the real default) in-process with yeoman-test (under tsx we pass the class, not a path;
 * `resolved` points at the source so templates and USAGE are found).
 */
export const runGenerator = async (
  name: GeneratorName,
  { cwd, args = [], options = {} }: { cwd: string; args?: string[]; options?: Record<string, unknown> },
): Promise<RunResult> => {
  // yeoman-test chdirs into the target; restore the cwd so later tests can delete that folder.
  const previous = process.cwd();
  try {
    return await runIn(name, cwd, args, options);
  } finally {
    process.chdir(previous);
  }
};

const runIn = (name: GeneratorName, cwd: string, args: string[], options: Record<string, unknown>): Promise<RunResult> =>
  helpers
    .run(classes[name] as never, {
      namespace: `dl-lab:${name}`,
      resolved: fileURLToPath(new URL(`../../generators/${name}/index.ts`, import.meta.url)),
      tmpdir: false,
      autoCleanup: false,
    })
    .cd(cwd)
    .withArguments(args)
    .withOptions({ skipInstall: true, force: false, ...options } as never)
    .run() as unknown as Promise<RunResult>;
