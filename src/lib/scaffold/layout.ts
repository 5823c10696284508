import { stringifyJson } from '../json-file.js';
import { DEFAULT_TRAIN_CONFIG } from '../training/api.js';

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

/** configs/default.json: the demo's defaults, from the one definition the trainer uses. */
export const defaultConfigJson = (): string => stringifyJson(DEFAULT_TRAIN_CONFIG);

/** Every path the app writes, for the never-overwrite check. */
export const scaffoldTargets = (): string[] => ['.yo-rc.json', 'configs/default.json', ...scaffoldFiles.map((file) => file.target)];
