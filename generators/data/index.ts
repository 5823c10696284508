import type { BaseOptions } from 'yeoman-generator';
import { optionValue, printSummary, stringOption } from '../../core/cli-options.js';
import { addDatasetCommand, checkDatasetsCommand, listDatasets } from '../../core/commands/datasets.js';
import { humanBytes } from '../../core/datasets/note.js';
import { UserError } from '../../core/errors.js';
import { datasetsLabel, withHashingProgress } from '../../core/progress.js';
import { DlLabGenerator } from '../dl-lab-generator.js';
import { dlLabCommand } from '../../core/invocation.js';

type DataOptions = BaseOptions & { action?: string; path?: string; name?: string; url?: string; license?: string; replace?: boolean };

/** What `data list` and `data check` say with nothing registered, naming the command the user has. */
const noDatasetsLine = (): string => `no datasets registered; add one with: ${dlLabCommand('data', 'add <path> --name <name>')}`;

/** `dl-lab data add <path> --name <n>` / `dl-lab data list`: register datasets so runs record exactly which bytes they used. */
export default class DataGenerator extends DlLabGenerator<Record<string, never>, DataOptions> {
  private lines: string[] = [];

  constructor(args: string[], options: DataOptions) {
    super(args, options);
    this.argument('action', { type: String, required: true, description: 'add | list | check' });
    this.argument('path', { type: String, required: false, description: 'File or folder to register (add); dataset name (check, default: all)' });
    this.option('name', { type: String, description: 'Dataset name (A-Z a-z 0-9 . _ -), used by run/demo --data <name>' });
    this.option('url', { type: String, description: 'Where the data came from' });
    this.option('license', { type: String, description: 'Its license' });
    this.option('split-logic', { type: String, description: 'How train/val/test were formed' });
    this.option('replace', { type: Boolean, description: 'Re-register an existing name (never done silently)', default: false });
  }

  async default(): Promise<void> {
    const cwd = this.destinationRoot();
    if (this.options.action === 'list') {
      const datasets = await listDatasets(cwd);
      this.lines = datasets.length === 0
        ? [noDatasetsLine()]
        : datasets.map((d) => `${d.name}  ${d.kind} ${d.path}  ${d.file_count} file(s), ${humanBytes(d.bytes)}  sha256 ${d.digest.slice(0, 12)}`);
      return;
    }
    if (this.options.action === 'check') {
      const name = stringOption('path', this.options.path);
      const entries = await withHashingProgress(process.stderr, name === undefined ? 'datasets' : datasetsLabel([name]), false, (onProgress) => checkDatasetsCommand(cwd, name, onProgress));
      this.lines = entries.length === 0
        ? [noDatasetsLine()]
        : entries.map((d) => `${d.name}: unchanged, ${d.file_count} file(s), ${humanBytes(d.bytes)}, sha256 ${d.sha256.slice(0, 12)}`);
      return;
    }
    if (this.options.action !== 'add') throw new UserError(`unknown action ${JSON.stringify(this.options.action)}: use add, list or check`, { field: 'action' });
    const path = stringOption('path', this.options.path);
    const name = stringOption('name', this.options.name);
    if (!path) throw new UserError('data add needs the path of a file or folder', { field: 'path' });
    if (!name) throw new UserError('data add needs --name <name>', { field: '--name' });
    const { record, notePath, root, kept } = await withHashingProgress(process.stderr, datasetsLabel([name]), false, (onProgress) =>
      addDatasetCommand({
        cwd,
        path,
        name,
        url: stringOption('url', this.options.url),
        license: stringOption('license', this.options.license),
        splitLogic: stringOption('split-logic', optionValue(this.options, 'split-logic')),
        replace: Boolean(this.options.replace),
        onProgress,
      }),
    );
    this.lines = [
      `registered dataset ${record.name}: ${record.kind} ${record.path}, ${record.file_count} file(s), ${humanBytes(record.bytes)}, digest ${record.digest}`,
      ...(kept.length === 0 ? [] : [`kept from the previous registration: ${kept.join(', ')}`]),
      `wrote knowledge_base/data/datasets.json and ${notePath.slice(root.length + 1)}`,
      // The remark is a shell comment: the line still pastes as one command (<TAG> filled in).
      `next: ${dlLabCommand('run', `<TAG> --data ${record.name}`)}   # the run re-checks these bytes first`,
    ];
  }

  end(): void {
    printSummary(this.lines);
  }
}
