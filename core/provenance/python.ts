import { resolvePyenvShim } from './pyenv.js';
import { PYTHON_PROBE } from './python-probe.js';
import { runCommand } from './run-command.js';
import type { PythonInfo } from './types.js';

export interface PythonCaptureOptions {
  /** Interpreter to ask (looked up on env.PATH); default `python3`. */
  executable?: string;
  /** Which interpreter that is (recorded): the training's own, or the python3 on PATH (the default). */
  source?: 'training' | 'path';
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
      source: options.source ?? 'path',
      version: parsed.version,
      packages: formatPackages(parsed.packages),
    };
  } catch {
    return { available: false, reason: `${executable} printed something that is not the expected JSON` };
  }
};

/**
 * The interpreter the training ran in, as its metrics file names it (`python.executable`, which
 * dl_lab_log writes from sys.executable): what the run records, rather than whatever python3 is
 * first on PATH when dl-lab runs (a venv not activated, `/opt/conda/envs/x/bin/python train.py`).
 * The schema lets only an absolute path to a file named python…/pypy… through, so a metrics file
 * never makes dl-lab start another program. One that cannot be started here (the run is sealed on
 * another machine, the venv is gone) is recorded as unavailable with the reason, never replaced
 * by another interpreter's description.
 */
export const captureTrainingPython = async (executable: string, label: string, options: Omit<PythonCaptureOptions, 'executable' | 'source'> = {}): Promise<PythonInfo> => {
  const info = await capturePython({ ...options, executable, source: 'training' });
  return info.available ? info : { available: false, reason: `${executable}, which ${label} names as the training's interpreter (python.executable), could not be described: ${info.reason}` };
};
