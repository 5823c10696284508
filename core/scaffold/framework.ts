/** The training framework the app scaffolds an example for; 'none' lays out only the project. */
export const FRAMEWORKS = ['pytorch', 'none'] as const;
export type Framework = (typeof FRAMEWORKS)[number];
export const DEFAULT_FRAMEWORK: Framework = 'pytorch';

/** `true` when valid, else the message to show (the shape inquirer's `validate` expects). */
export const validateFramework = (value: unknown): true | string =>
  (FRAMEWORKS as readonly unknown[]).includes(value)
    ? true
    : `unknown framework ${JSON.stringify(value)}: choose one of ${FRAMEWORKS.join(', ')}`;

/**
 * Names that cannot be a Python package, or that would shadow a module the scaffold's own code
 * imports once `src/` is on sys.path (a project called "torch" must not hide PyTorch).
 */
const RESERVED = new Set([
  // Python keywords that a slug can spell (lowercase letters only)
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass',
  'raise', 'return', 'try', 'while', 'with', 'yield',
  // modules the scaffolded Python code imports
  'argparse', 'hashlib', 'json', 'math', 'os', 'random', 'sys', 'pathlib', 'numpy', 'torch', 'jsonschema', 'referencing', 'train',
]);

/** Prefix that turns an unusable package name (leading digit, keyword, shadowing name) into a valid one. */
export const PYTHON_PACKAGE_PREFIX = 'dl_';

/**
 * The Python package (`src/<package>/`) of a project: its slug name with '-' made '_', prefixed
 * with `dl_` when it would start with a digit, be a keyword or shadow an imported module.
 */
export const pythonPackageName = (projectName: string): string => {
  const name = projectName.replace(/-/g, '_');
  return /^[0-9]/.test(name) || RESERVED.has(name) ? `${PYTHON_PACKAGE_PREFIX}${name}` : name;
};
