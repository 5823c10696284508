import type Generator from 'yeoman-generator';
import type { BaseOptions } from 'yeoman-generator';
import { defaultProjectName, validateProjectName } from '../../lib/scaffold/project-name.js';

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
