import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const repo = new URL('../../', import.meta.url);

/** The example lines of a USAGE file: indented lines that start with a command a user types. */
const usageExamples = (text: string): string[] => text.split('\n').filter((line) => /^ {4}(dl-lab|yo|npx|cd|python3?|sha256sum|zcat|sbatch)\b/.test(line)).map((line) => line.trim());

/** The lines of the README's ```bash blocks, a `\` continuation joined to its next line; comments and blank lines left out. */
const readmeCommands = (text: string): string[] =>
  [...text.matchAll(/^```bash\n([\s\S]*?)^```/gm)]
    .flatMap((block) => block[1].replace(/\\\n/g, ' ').split('\n'))
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));

/** Each line must parse as shell (`sh -n`): prose after a command belongs in a `# …` comment, or a pasted line fails. */
const unparsed = (lines: readonly string[]): string[] => lines.filter((line) => spawnSync('sh', ['-n', '-c', line]).status !== 0);

describe('example command lines parse as shell, so they paste as printed', () => {
  it('every USAGE example line', () => {
    const generators = readdirSync(new URL('generators/', repo), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    const lines = generators.flatMap((entry) => {
      const usage = new URL(`generators/${entry.name}/USAGE`, repo);
      return usageExamples(readFileSync(usage, 'utf8')).map((line) => `${entry.name}: ${line}`);
    });
    assert.ok(lines.length > 40, String(lines.length));
    assert.deepEqual(unparsed(lines.map((line) => line.slice(line.indexOf(': ') + 2))), []);
  });

  it("every line of the README's bash blocks", () => {
    const lines = readmeCommands(readFileSync(new URL('README.md', repo), 'utf8'));
    assert.ok(lines.length > 40, String(lines.length));
    assert.deepEqual(unparsed(lines), []);
  });
});
