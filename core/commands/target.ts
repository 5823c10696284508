import { join, resolve } from 'node:path';
import { RUNS_DIR, findProjectRoot, readProjectSettings, relativeInside, requireProject, validateTag, type Project } from '../project.js';

/** Where a run goes and what its paths are relative to. */
export interface RunTarget {
  tag: string;
  /** The root the manifest's paths are relative to: the project root, or the `--out-dir` itself outside a project. */
  root: string;
  /** Run directory relative to `root` ('.' when the run directory is the root). */
  runDir: string;
  targetDir: string;
  project: Project | undefined;
}

/** `artifacts/runs/<tag>/` of the project enclosing `cwd`. */
export const projectRunTarget = (cwd: string, tag: string): RunTarget => {
  validateTag(tag);
  const project = requireProject(cwd);
  const runDir = `${RUNS_DIR}/${tag}`;
  return { tag, root: project.root, runDir, targetDir: join(project.root, runDir), project };
};

/**
 * An explicit output folder (`demo --out-dir`): inside a project its paths are relative to the
 * project root; elsewhere the folder is its own root, so the run is self-contained and movable.
 */
export const outDirRunTarget = (cwd: string, outDir: string, tag: string): RunTarget => {
  validateTag(tag);
  const targetDir = resolve(cwd, outDir);
  const projectRoot = findProjectRoot(targetDir);
  const runDir = projectRoot ? relativeInside(projectRoot, targetDir) : undefined;
  if (projectRoot && runDir && runDir !== '.') {
    return { tag, root: projectRoot, runDir, targetDir, project: { root: projectRoot, settings: readProjectSettings(projectRoot) } };
  }
  return { tag, root: targetDir, runDir: '.', targetDir, project: undefined };
};
