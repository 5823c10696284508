import type { BaseOptions } from 'yeoman-generator';
import { DlLabGenerator } from '../dl-lab-generator.js';
import yosay from 'yosay';
import { resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import { optionValue, printSummary, stringOption } from '../../core/cli-options.js';
import { initRepository, type GitInitOutcome } from '../../core/scaffold/git-init.js';
import { pythonPackageName, validateFramework, type Framework } from '../../core/scaffold/framework.js';
import { validateProjectName } from '../../core/scaffold/project-name.js';
import { assertScaffoldTarget } from '../../core/scaffold/target-dir.js';
import { defaultConfigJson, pytorchScaffoldFiles, scaffoldFiles, scaffoldTargets, schemaCopies } from '../../core/scaffold/layout.js';
import { askForFramework, askForProjectName } from './prompts.js';
import { dlLabCommand, launcher } from '../../core/invocation.js';
import { shellWord } from '../../core/shell-word.js';

/** `dl-lab` / `yo dl-lab`: lay out a reproducibility-first deep-learning project. */
type AppOptions = BaseOptions & { name?: string; framework?: string; out?: string; yes?: boolean; force?: boolean; skipGit?: boolean };
type Answers = { name?: string; framework?: Framework };

export default class AppGenerator extends DlLabGenerator<Answers, AppOptions> {
  private answers: Answers = {};
  private gitOutcome: GitInitOutcome | undefined;

  constructor(args: string[], options: AppOptions) {
    super(args, options);
    this.option('name', { type: String, description: 'Project name (default: the folder name, as a slug)' });
    this.option('framework', { type: String, description: 'Example training code: pytorch (train.py, Python checker, Slurm/torchrun) or none (default: pytorch)' });
    this.option('out', { type: String, description: 'Folder to scaffold into (default: the current folder)' });
    this.option('yes', { type: Boolean, description: 'Accept the default of every prompt (no TTY needed)', default: false });
    this.option('force', { type: Boolean, description: 'Scaffold into a non-empty folder (existing files are never replaced silently)', default: false });
    this.option('skip-git', { type: Boolean, description: 'Do not run git init and the first commit', default: false });
  }

  initializing(): void {
    const out = stringOption('out', this.options.out);
    if (out) this.destinationRoot(resolve(this.destinationRoot(), out));
    assertScaffoldTarget(this.destinationRoot(), Boolean(this.options.force), scaffoldTargets());
    const name = this.options.name as unknown;
    if (name !== undefined) {
      const valid = validateProjectName(name);
      if (valid !== true) throw new UserError(valid, { field: '--name' });
    }
    const framework = this.options.framework as unknown;
    if (framework !== undefined) {
      const valid = validateFramework(framework);
      if (valid !== true) throw new UserError(valid, { field: '--framework' });
    }
  }

  async prompting(): Promise<void> {
    if (process.stdout.isTTY && !this.options.yes && this.options.name === undefined) {
      this.log(yosay('Reproducible deep learning: every number in the paper traced to a sealed run.'));
    }
    await askForProjectName(this, this.answers);
    const valid = validateProjectName(this.answers.name);
    if (valid !== true) throw new UserError(valid, { field: '--name' });
    await askForFramework(this, this.answers);
  }

  configuring(): void {
    // Now that name and framework are known, every file the app will write is checked (never overwrite).
    assertScaffoldTarget(this.destinationRoot(), Boolean(this.options.force), scaffoldTargets(this.answers));
    // Stored under "generator-dl-lab" in .yo-rc.json, which also marks the project root for `run` and `demo`.
    this.config.set('name', this.answers.name!);
    this.config.set('framework', this.answers.framework!);
  }

  writing(): void {
    const { name, framework } = this.answers as Required<Answers>;
    // dlLab: the templates' commands name what the user started (dl-lab or yo), as the printed ones do.
    // The templates print values with <%- %>: <%= %> HTML-escapes them, and in these Markdown, Python and
    // shell files `&lt;TAG&gt;` or `&#34;out of memory&#34;` is wrong text (a pasted `&` even forks the shell).
    const context = {
      name,
      framework,
      pythonPackage: pythonPackageName(name),
      // The project's README is read long after this process: `dl-lab …` or `yo dl-lab:…`, never npx.
      dlLab: (command?: string, args?: string) => dlLabCommand(command, args, launcher()),
    };
    const files = [...scaffoldFiles, ...(framework === 'pytorch' ? pytorchScaffoldFiles(name) : [])];
    for (const file of files) {
      this.fs.copyTpl(this.templatePath(file.template), this.destinationPath(file.target), context);
    }
    this.fs.write(this.destinationPath('configs/default.json'), defaultConfigJson());
    for (const { source, target } of schemaCopies()) this.fs.copy(source, this.destinationPath(target));
  }

  async end(): Promise<void> {
    if (!optionValue(this.options, 'skip-git')) {
      this.gitOutcome = await initRepository(this.destinationRoot(), `Scaffold ${this.answers.name} with generator-dl-lab`);
    }
    const git = this.gitOutcome === undefined ? 'git: skipped (--skip-git)'
      : this.gitOutcome.initialized ? `git: initialised, first commit ${this.gitOutcome.commit.slice(0, 12)}`
      : `git: ${this.gitOutcome.reason}`;
    const { name, framework } = this.answers as Required<Answers>;
    // Both commands run in the new project (the `train:` line once there), so they are said as
    // they run from it: under npx that folder may be outside the prefix npx started from.
    const project = this.destinationRoot();
    const inProject = (command: string, args: string): string => dlLabCommand(command, args, undefined, project);
    printSummary([
      `created project ${name} in ${project}`,
      git,
      `next: cd ${shellWord(project)} && ${inProject('demo', '--seed 0')}`,
      ...(framework === 'pytorch'
        ? [
            `python package: src/${pythonPackageName(name)}/`,
            `train: python train.py --config configs/default.json --out tmp/run && ${inProject('run', 'M1-baseline --metrics tmp/run/metrics.json --checkpoint tmp/run/best.pt')}`,
          ]
        : []),
    ]);
  }
}
