import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * Interpreters the Python tests try, in order: Debian's own (where `apt-get install python3-torch
 * python3-numpy python3-jsonschema` puts the packages; a pyenv/conda `python3` on PATH does not see
 * them), then whatever `python3` is on PATH (e.g. a venv with pip-installed torch).
 */
export const PYTHON_CANDIDATES = ['/usr/bin/python3', 'python3'] as const;

export interface Python {
  /** What to spawn. */
  command: string;
  /** sys.executable, resolved: two candidates that are one interpreter count once. */
  executable: string;
  /** Version of each module asked for (its distribution's, or the module's __version__). */
  versions: Record<string, string>;
}

const PROBE = `
import importlib, json, os, sys
from importlib import metadata
versions = {}
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    try:
        versions[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        versions[name] = str(getattr(module, "__version__", "?"))
print(json.dumps({"executable": os.path.realpath(sys.executable), "versions": versions}))
`;

/** Environment for every Python child of the tests: no __pycache__ in templates or scaffolds, unbuffered output. */
export const PYTHON_ENV = { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };

const cache = new Map<string, Python[]>();

/** Every distinct candidate interpreter that can import all of `modules` (probed once per module list). */
export const pythonsWith = (modules: readonly string[]): Python[] => {
  const key = modules.join(',');
  if (!cache.has(key)) {
    const found = new Map<string, Python>();
    for (const command of PYTHON_CANDIDATES) {
      const probe = spawnSync(command, ['-c', PROBE, ...modules], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...PYTHON_ENV } });
      if (probe.status !== 0) continue;
      const { executable, versions } = JSON.parse(probe.stdout) as Omit<Python, 'command'>;
      if (!found.has(executable)) found.set(executable, { command, executable, versions });
    }
    cache.set(key, [...found.values()]);
  }
  return cache.get(key)!;
};

/** The first candidate that has all of `modules`, or undefined (tests then skip, saying why). */
export const pythonWith = (modules: readonly string[]): Python | undefined => pythonsWith(modules)[0];

export const noPythonMessage = (modules: readonly string[]): string =>
  `none of ${PYTHON_CANDIDATES.join(', ')} can import ${modules.join(', ')} ` +
  '(Debian: apt-get install python3-torch python3-numpy python3-jsonschema)';

export interface PythonResult { status: number | null; stdout: string; stderr: string; seconds: number }

export const runPython = (python: Python, args: string[], { cwd, env = {} }: { cwd: string; env?: Record<string, string> }): PythonResult => {
  const started = process.hrtime.bigint();
  const result = spawnSync(python.command, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...PYTHON_ENV, ...env } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, seconds };
};

/** Start a Python child without waiting, for kill and signal tests; `done` resolves with its exit status or signal. */
export const startPython = (
  python: Python,
  args: string[],
  { cwd, env = {} }: { cwd: string; env?: Record<string, string> },
): { child: ChildProcess; done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } => {
  const child = spawn(python.command, args, { cwd, env: { ...process.env, ...PYTHON_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, done };
};
