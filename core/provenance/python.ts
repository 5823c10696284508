import { resolvePyenvShim } from './pyenv.js';
import { PYTHON_PROBE } from './python-probe.js';
import { runCommand } from './run-command.js';
import type { PythonInfo } from './types.js';

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
  const env = options.env ?? process.env;
  // Through a pyenv shim Python starts ~50 ms later; the interpreter the shim would pick, when
  // that is certain, answers the same (sys.executable is that interpreter either way).
  const interpreter = resolvePyenvShim(executable, env) ?? executable;
  const result = await runCommand(interpreter, ['-c', PYTHON_PROBE], { env, timeoutMs: options.timeoutMs });
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
