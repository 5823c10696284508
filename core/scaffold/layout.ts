import { join } from 'node:path';
import { SCHEMAS_DIR, SCHEMA_FILES } from '../contract/schema-files.js';
import { stringifyJson } from '../json-file.js';
import { DEFAULT_TRAIN_CONFIG } from '../training/api.js';
import { pythonPackageName, type Framework } from './framework.js';

/**
 * The files `dl-lab` (app) lays out, template → target. Templates keep their real names except
 * `gitignore`: npm drops files named `.gitignore` from published packages.
 */
export const scaffoldFiles: ReadonlyArray<{ template: string; target: string }> = [
  { template: 'README.md', target: 'README.md' },
  { template: 'Draft_Derivation.md', target: 'Draft_Derivation.md' },
  { template: 'references.bib', target: 'references.bib' },
  { template: 'gitignore', target: '.gitignore' },
  { template: 'artifacts/runs/README.md', target: 'artifacts/runs/README.md' },
  { template: 'knowledge_base/data/README.md', target: 'knowledge_base/data/README.md' },
  { template: 'knowledge_base/data/dataset-template.md', target: 'knowledge_base/data/dataset-template.md' },
  { template: 'knowledge_base/decisions/README.md', target: 'knowledge_base/decisions/README.md' },
  { template: 'knowledge_base/decisions/0000-template.md', target: 'knowledge_base/decisions/0000-template.md' },
  { template: 'knowledge_base/literature/README.md', target: 'knowledge_base/literature/README.md' },
  { template: 'knowledge_base/literature/note-template.md', target: 'knowledge_base/literature/note-template.md' },
  { template: 'knowledge_base/methodology_traces/README.md', target: 'knowledge_base/methodology_traces/README.md' },
  { template: 'knowledge_base/methodology_traces/metrics.md', target: 'knowledge_base/methodology_traces/metrics.md' },
];

/**
 * The PyTorch example (`--framework pytorch`): train.py, its package under `src/<package>/`
 * (`templates/src/package/` holds it under a placeholder name) and the cluster launcher.
 */
export const pytorchScaffoldFiles = (projectName: string): Array<{ template: string; target: string }> => {
  const pkg = pythonPackageName(projectName);
  return [
    { template: 'train.py', target: 'train.py' },
    ...['__init__.py', 'data.py', 'model.py', 'metrics.py', 'dl_lab_log.py', 'validate.py'].map((file) => ({ template: `src/package/${file}`, target: `src/${pkg}/${file}` })),
    { template: 'launch/slurm.sbatch', target: 'launch/slurm.sbatch' },
  ];
};

/**
 * The contract's schemas, copied from the package's own `schemas/` into the project's (for the
 * Python checker and any other tool), never duplicated as templates.
 */
export const schemaCopies = (): Array<{ source: string; target: string }> =>
  Object.values(SCHEMA_FILES).map((file) => ({ source: join(SCHEMAS_DIR, file), target: `schemas/${file}` }));

/** configs/default.json: the demo's defaults, from the one definition the trainer uses. */
export const defaultConfigJson = (): string => stringifyJson(DEFAULT_TRAIN_CONFIG);

/** Every path the app writes, for the never-overwrite check (the framework's files only once it is known). */
export const scaffoldTargets = (answers: { name?: string; framework?: Framework } = {}): string[] => [
  '.yo-rc.json',
  'configs/default.json',
  ...scaffoldFiles.map((file) => file.target),
  ...schemaCopies().map((copy) => copy.target),
  ...(answers.framework === 'pytorch' && answers.name ? pytorchScaffoldFiles(answers.name).map((file) => file.target) : []),
];
