import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

/** The HTML entities EJS's `<%= %>` writes for < > " ' &: in a Markdown, Python or shell file they are wrong text. */
const ENTITIES = /&(?:lt|gt|amp|#34|#39|quot);/g;

const filesUnder = (dir: string, skip: (path: string) => boolean = () => false): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !skip(relative(dir, path)));

const entitiesIn = (path: string): string[] => readFileSync(path, 'utf8').match(ENTITIES) ?? [];

describe('the scaffold writes text as typed: no HTML entities from the templates', () => {
  after(cleanupTempDirs);

  it('no written file has an entity its source does not have, and commands in the READMEs read as typed', () => {
    const root = join(tempDir(), 'x');
    const app = runCli(['--name', 'x', '--out', root], { cwd: tempDir() });
    assert.equal(app.status, 0, app.stderr);

    // What the app copies from: its templates and the package's schemas. None spells an entity itself.
    const sources = ['../../generators/app/templates', '../../schemas'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));
    const literal = new Set(sources.flatMap((dir) => filesUnder(dir)).flatMap(entitiesIn));
    const written = filesUnder(root, (path) => path === '.git' || path.startsWith(`.git/`));
    assert.ok(written.length >= 25, `${written.length} files written`);
    const escaped = written.flatMap((path) => entitiesIn(path).filter((entity) => !literal.has(entity)).map((entity) => `${relative(root, path)}: ${entity}`));
    assert.deepEqual(escaped, []);

    const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
    assert.ok(readme.includes('then `dl-lab run <TAG> --metrics path/to/metrics.json`.'), 'the metrics step');
    assert.ok(readme.includes('dl-lab run M1-crashed --status failed --status-reason "out of memory"   # nothing was written at all'), 'the failed-run line pastes into a shell');
    const runs = readFileSync(join(root, 'artifacts/runs/README.md'), 'utf8').split('\n');
    assert.equal(runs[2], 'One folder per run tag, written by `dl-lab run <TAG>` or `dl-lab demo`. A run is written');
  });
});
