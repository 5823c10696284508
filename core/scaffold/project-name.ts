import { basename } from 'node:path';

/** A project name is a slug: lowercase letters and digits, joined by single '-' or '_' (usable as a Python package after '-' → '_'). */
export const PROJECT_NAME_PATTERN = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
export const MAX_PROJECT_NAME_LENGTH = 64;

/** `true` when valid, else the message to show (the shape inquirer's `validate` expects). */
export const validateProjectName = (name: unknown): true | string => {
  if (typeof name !== 'string' || name.length === 0) return 'the project name is required';
  if (name.length > MAX_PROJECT_NAME_LENGTH) return `the project name is longer than ${MAX_PROJECT_NAME_LENGTH} characters`;
  if (!PROJECT_NAME_PATTERN.test(name)) {
    return `invalid project name ${JSON.stringify(name)}: use lowercase letters and digits joined by single '-' or '_' (e.g. moons-mlp)`;
  }
  return true;
};

/** The default answer: the target folder's name made into a slug ('dl-project' if nothing is left). */
export const defaultProjectName = (directory: string): string => {
  const slug = basename(directory)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/[-_]{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, MAX_PROJECT_NAME_LENGTH)
    .replace(/[-_]+$/, '');
  return slug.length > 0 ? slug : 'dl-project';
};
