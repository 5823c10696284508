import { runCommand } from './run-command.js';
import type { PythonInfo } from './types.js';

/**
 * One interpreter start that prints executable, version and every installed distribution as
 * JSON. importlib.metadata instead of `pip freeze`: pip imports its whole CLI first and is ~5×
 * slower, and it may not even be installed in the environment.
 * The cwd entry ('') is dropped from sys.path so an `*.egg-info` lying in the current directory
 * is not reported as installed: the list describes the interpreter's environment.
 */
const PROBE = `
import json, platform, sys
sys.path = [p for p in sys.path if p != '']
from importlib import metadata
packages = []
for dist in metadata.distributions():
    try:  # one broken install (no METADATA) must not cost the whole list
        meta = dist.metadata  # parsed once: dist.version would parse it again for meta['Version']
        name, version = meta['Name'], meta['Version']
    except Exception:
        continue
    if name and version:
        packages.append([name, version])
json.dump({'executable': sys.executable, 'version': platform.python_version(), 'packages': packages}, sys.stdout)
`;

export interface PythonCaptureOptions {
  /** Interpreter to ask (looked up on env.PATH); default `python3`. */
  executable?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** PEP 503 normalized project name: runs of `-`, `_`, `.` become one `-`, lowercase. */
export const normalizePackageName = (name: string): string => name.replace(/[-_.]+/g, '-').toLowerCase();

/**
 * "name==version" lines, sorted by name. A name installed twice (e.g. user site and system
 * site-packages) keeps its first occurrence, which is the one `import` would load (sys.path order).
 */
export const formatPackages = (pairs: ReadonlyArray<readonly [string, string]>): string[] => {
  const byName = new Map<string, string>();
  for (const [name, version] of pairs) {
    const normalized = normalizePackageName(name);
    if (!byName.has(normalized)) byName.set(normalized, version);
  }
  return [...byName.keys()].sort().map((name) => `${name}==${byName.get(name)}`);
};

export const capturePython = async (options: PythonCaptureOptions = {}): Promise<PythonInfo> => {
  const executable = options.executable ?? 'python3';
  const result = await runCommand(executable, ['-c', PROBE], { env: options.env, timeoutMs: options.timeoutMs });
  if (!result.ok) return { available: false, reason: result.reason };
  try {
    const parsed = JSON.parse(result.stdout) as { executable: string; version: string; packages: Array<[string, string]> };
    return {
      available: true,
      // sys.executable is '' when Python cannot tell; the name we ran is the next best thing.
      executable: parsed.executable || executable,
      version: parsed.version,
      packages: formatPackages(parsed.packages),
    };
  } catch {
    return { available: false, reason: `${executable} printed something that is not the expected JSON` };
  }
};
