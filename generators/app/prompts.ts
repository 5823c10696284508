import type Generator from 'yeoman-generator';
import type { BaseOptions } from 'yeoman-generator';
import { DEFAULT_FRAMEWORK, type Framework } from '../../core/scaffold/framework.js';
import { defaultProjectName, validateProjectName } from '../../core/scaffold/project-name.js';

/**
 * One function per question (as in vscode-generator-code): each answers from its option when
 * given, takes the default under --yes, and only otherwise asks, so the app runs without a TTY.
 */
export const askForProjectName = async (generator: Generator<any, BaseOptions & { name?: string; yes?: boolean }>, answers: { name?: string }): Promise<void> => {
  const given = generator.options.name as string | undefined;
  const fallback = defaultProjectName(generator.destinationRoot());
  if (given !== undefined || generator.options.yes) {
    answers.name = given ?? fallback;
    return;
  }
  const { name } = await generator.prompt<{ name: string }>({
    type: 'input',
    name: 'name',
    message: 'Project name (a slug):',
    default: fallback,
    validate: validateProjectName,
  });
  answers.name = name;
};

/**
 * The training framework to scaffold an example for (`--framework pytorch|none`); `--yes` takes
 * pytorch, and so does a run without a terminal to ask on (`dl-lab --name x` in CI keeps working).
 */
export const askForFramework = async (generator: Generator<any, BaseOptions & { framework?: string; yes?: boolean }>, answers: { framework?: Framework }): Promise<void> => {
  const given = generator.options.framework as string | undefined;
  if (given !== undefined || generator.options.yes || !process.stdin.isTTY) {
    answers.framework = (given ?? DEFAULT_FRAMEWORK) as Framework;
    return;
  }
  const { framework } = await generator.prompt<{ framework: Framework }>({
    type: 'select',
    name: 'framework',
    message: 'Training framework for the example train.py:',
    choices: [
      { name: 'PyTorch (train.py, a Python checker, Slurm/torchrun launchers)', value: 'pytorch' },
      { name: 'none (bring your own training; it writes the --metrics file)', value: 'none' },
    ],
    default: DEFAULT_FRAMEWORK,
  });
  answers.framework = framework;
};
