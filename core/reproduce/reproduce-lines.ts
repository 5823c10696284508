import { relative } from 'node:path';
import { flatten } from '../compare/differences.js';
import type { RunDocs } from '../compare/run-record.js';
import { formatNumber, formatValue, textTable } from '../compare/text-table.js';
import { describeTolerance, type Tolerance } from '../compare/tolerance.js';
import type { ReproCheck } from './reproduce-check.js';
import type { ExperimentReproduction } from './reproduce-experiment.js';
import type { ConfigCheck, ReproducePlan } from './reproduce-plan.js';
import type { ReproduceOutcome } from './reproduce-run.js';
import { dlLabCommand } from '../invocation.js';

const short = (sha256: string | null | undefined): string => (sha256 ? `${sha256.slice(0, 12)}…` : '—');

/** A config that changed or vanished since the run is reported loudly (stdout and stderr); the reproduction never reads it. */
export const configWarning = (config: ConfigCheck): string | undefined =>
  config.status === 'changed'
    ? `⚠ config file changed since the run: ${config.path} has sha256 ${short(config.current_sha256)} now, ${short(config.recorded_sha256)} when the run was made; the reproduction uses the recorded hyperparameters (manifest.json /hyperparameters), not the file`
    : config.status === 'missing'
      ? `⚠ config file ${config.path} no longer exists; the reproduction uses the recorded hyperparameters (manifest.json /hyperparameters)`
      : undefined;

const configLine = (config: ConfigCheck): string =>
  configWarning(config) ??
  (config.status === 'built-in defaults'
    ? `config: built-in defaults (sha256 ${short(config.recorded_sha256)})`
    : config.status === 'not checked'
      ? `config: ${config.path} not checked: it is relative to the project the run was made in, which the run does not record; reproduce from inside that project to check it (sha256 ${short(config.recorded_sha256)} when the run was made)`
      : `config: ${config.path} unchanged since the run (sha256 ${short(config.recorded_sha256)})`);

const codeDescription = (docs: RunDocs): string => {
  const git = docs.manifest.code.git;
  if (!git.available) return `no git information (${git.reason})`;
  const patch = docs.manifest.code.patch;
  return `commit ${git.commit}${git.branch ? ` (branch ${git.branch})` : ''}, ${git.dirty ? `dirty: apply ${patch?.path ?? 'the recorded patch'} (sha256 ${short(patch?.sha256)}) on top` : 'clean'}`;
};

const hyperparameterText = (docs: RunDocs): string =>
  Object.entries(flatten(docs.manifest.hyperparameters)).map(([key, value]) => `${key}=${formatValue(value)}`).join(', ') || '(none)';

const environmentText = (docs: RunDocs): string => {
  const env = docs.manifest.environment;
  const python = env.python.available ? `python ${env.python.version} (${env.python.packages.length} packages listed in manifest.json /environment/python/packages)` : 'no python recorded';
  const gpu = env.gpu.available ? `GPU ${env.gpu.gpus.map((g) => g.name).join(', ') || 'none'} (driver ${env.gpu.driver ?? '?'}, CUDA ${env.gpu.cuda ?? '?'})` : 'no GPU recorded';
  return `node ${env.node}, ${env.os.platform} ${env.arch}, ${python}, ${gpu}`;
};

/** What a person needs to re-run a run dl-lab cannot re-execute, straight from its manifest. */
export const neededToReproduce = (docs: RunDocs, config: ConfigCheck): Record<string, unknown> => ({
  sealed_by_command: docs.manifest.command,
  code: docs.manifest.code,
  config,
  hyperparameters: docs.manifest.hyperparameters,
  seed: docs.manifest.seed,
  data: docs.manifest.data.map((entry) => ({ name: entry.name, sha256: entry.sha256 })),
  environment: { node: docs.manifest.environment.node, python: docs.manifest.environment.python, gpu: docs.manifest.environment.gpu },
});

const cannotReproduceLines = (plan: ReproducePlan): string[] => {
  const { docs } = plan;
  const tag = docs.manifest.tag;
  if (plan.kind === 'experiment') {
    // Reached when dl-lab cannot re-run its members (see planMemberReproductions).
    const members = plan.experiment?.members ?? [];
    const completed = members.filter((member) => member.status === 'completed');
    if (completed.length === 0) {
      return [`cannot reproduce ${tag}: none of its ${members.length} member run(s) completed, so it holds no statistics to reproduce.`, 'exit 3 (cannot reproduce)'];
    }
    return [
      `cannot reproduce ${tag}: it is an experiment record (\`dl-lab aggregate\`) whose members trained outside dl-lab (the sweep's command), so dl-lab cannot re-execute them. What each completed member recorded, to reproduce it by hand:`,
      ...completed.map((member) => `  ${dlLabCommand('reproduce', member.tag)}`),
      'exit 3 (cannot reproduce)',
    ];
  }
  if (plan.kind === 'wiring') {
    return [
      `cannot reproduce ${tag}: it is a wiring run (\`dl-lab run\` without --metrics); its numbers are placeholders and no training ran, so there is nothing to re-execute.`,
      'exit 3 (cannot reproduce)',
    ];
  }
  const data = docs.manifest.data.length
    ? docs.manifest.data.map((entry) => `${entry.name} sha256 ${entry.sha256}`).join('; ')
    : 'none recorded (the manifest holds no dataset digest: which data was used cannot be checked)';
  return [
    `cannot reproduce ${tag}: its training ran outside dl-lab. \`dl-lab run --metrics\` only sealed the numbers your training reported, so dl-lab cannot re-execute it.`,
    'to reproduce it by hand you need what its manifest recorded:',
    ...textTable([
      ['sealed by', `${docs.manifest.command.join(' ')}   (the command that sealed the run, not the training command)`],
      ['code', codeDescription(docs)],
      ['config', configLine(plan.config).replace(/^config: /, '')],
      ['hyperparameters', hyperparameterText(docs)],
      ['seed', String(docs.manifest.seed)],
      ['data', data],
      ['environment', environmentText(docs)],
    ]),
    `then seal your new run and compare: ${dlLabCommand('run', '<NEW_TAG> --metrics <metrics.json>')} && ${dlLabCommand('compare', `${tag} <NEW_TAG> --fail-on-regression`)}`,
    'exit 3 (cannot reproduce)',
  ];
};

const STATUS_TEXT: Record<ReproCheck['status'], string> = {
  identical: 'bitwise identical',
  'within tolerance': 'within tolerance',
  diverged: 'DIVERGED',
  missing: 'MISSING',
  'not reproducible by definition': 'not reproducible by definition',
};

const shown = (value: number | string | null): string => (typeof value === 'string' ? short(value) : formatNumber(value));

const checkRow = (check: ReproCheck): string[] => {
  const values = check.kind === 'history' ? check.detail ?? '' : check.status === 'identical' ? shown(check.source) : `${shown(check.source)} → ${shown(check.reproduced)}`;
  return [check.kind, check.name, STATUS_TEXT[check.status], values];
};

const codeComparison = (source: RunDocs, reproduced: RunDocs): string => {
  const a = source.manifest.code.git;
  const b = reproduced.manifest.code.git;
  if (!a.available || !b.available) return 'code: not comparable (git information missing)';
  const versions = source.manifest.generator.version === reproduced.manifest.generator.version ? '' : `; dl-lab ${source.manifest.generator.version} → ${reproduced.manifest.generator.version}`;
  if (a.commit === b.commit && !a.dirty && !b.dirty && !versions) return `code: same commit ${a.commit.slice(0, 12)} as the run, clean`;
  return `code differs from the run (a divergence may come from it): commit ${a.commit.slice(0, 12)}${a.dirty ? ' (dirty)' : ''} → ${b.commit.slice(0, 12)}${b.dirty ? ' (dirty)' : ''}${versions}`;
};

const verdictLine = (outcome: ReproduceOutcome): string => {
  const count = (status: ReproCheck['status']) => outcome.checks.filter((check) => check.status === status);
  const byDefinition = count('not reproducible by definition').map((check) => check.name);
  const excused = byDefinition.length ? `; not reproducible by definition: ${[...new Set(byDefinition)].join(', ')}` : '';
  if (outcome.status === 'diverged') {
    const bad = outcome.checks.filter((check) => check.status === 'diverged' || check.status === 'missing');
    return `DIVERGED: ${bad.length} of ${outcome.checks.length} checks: ${bad.map((check) => `${check.kind} ${check.name}`).join(', ')} (exit 2)`;
  }
  const within = count('within tolerance').length;
  return `REPRODUCED: ${count('identical').length} checks bitwise identical${within ? `, ${within} within tolerance` : ''}${excused}`;
};

/** The report of `reproduce`: what was re-run and, per output, dataset, history column, metric and result, how it came back. */
export const reproduceLines = (plan: ReproducePlan, outcome: ReproduceOutcome, tolerance: Tolerance, cwd = process.cwd()): string[] => {
  if (!plan.demo || !outcome.reproduced?.docs) return cannotReproduceLines(plan);
  const source = plan.docs.manifest.tag;
  const where = relative(cwd, outcome.reproduced.runDirAbs) || '.';
  return [
    `reproduced ${source} as ${plan.demo.target.tag} -> ${where}/ from its manifest alone (hyperparameters: ${hyperparameterText(plan.docs)})`,
    configLine(plan.config),
    codeComparison(plan.docs, outcome.reproduced.docs),
    '',
    `checks (outputs and data by sha256; numbers identical, or within tolerance: ${describeTolerance(tolerance)})`,
    ...textTable([['kind', 'name', 'status', 'value (recorded → reproduced)'], ...outcome.checks.map(checkRow)]),
    '',
    verdictLine(outcome),
  ];
};

/** The `--json` report. */
export const reproduceJson = (plan: ReproducePlan, outcome: ReproduceOutcome, tolerance: Tolerance): object => ({
  source: { tag: plan.docs.manifest.tag, run_dir: plan.source.verification.runDir, kind: plan.kind },
  status: outcome.status,
  exit_code: outcome.exitCode,
  config: plan.config,
  tolerance,
  reproduced: outcome.reproduced ? { tag: outcome.reproduced.tag, run_dir: outcome.reproduced.verification.runDir } : null,
  checks: outcome.checks,
  ...(plan.demo ? {} : { needed_to_reproduce: neededToReproduce(plan.docs, plan.config) }),
});

/** The report of `reproduce` of an experiment record: each member's verdict, then the record's statistics computed again. */
export const experimentReproduceLines = (plan: ReproducePlan, result: ExperimentReproduction, tolerance: Tolerance, cwd = process.cwd()): string[] => {
  const count = (status: ReproCheck['status']): number => result.statistics.filter((check) => check.status === status).length;
  const bad = result.statistics.filter((check) => check.status === 'diverged' || check.status === 'missing');
  const divergedMembers = result.members.filter(({ outcome }) => outcome.status !== 'reproduced').length;
  const within = count('within tolerance');
  return [
    `reproduced experiment ${plan.docs.manifest.tag} member by member: ${result.members.length} completed member(s), each from its manifest alone`,
    ...textTable([
      ['member', 'reproduced as', 'verdict'],
      ...result.members.map(({ plan: member, outcome }) => [member.docs.manifest.tag, `${relative(cwd, outcome.reproduced!.runDirAbs)}/`, verdictLine(outcome)]),
    ]),
    '',
    `statistics of ${plan.docs.manifest.tag} computed again from the reproductions, as dl-lab aggregate computes them (identical, or within tolerance: ${describeTolerance(tolerance)})`,
    ...(bad.length ? textTable([['statistic', 'status', 'value (recorded → reproduced)'], ...bad.map((check) => checkRow(check).slice(1))]) : []),
    result.status === 'reproduced'
      ? `REPRODUCED: ${result.members.length} of ${result.members.length} members; ${count('identical')} statistics bitwise identical${within ? `, ${within} within tolerance` : ''}`
      : `DIVERGED: ${divergedMembers} of ${result.members.length} members, ${bad.length} of ${result.statistics.length} statistics${bad.length ? `: ${bad.map((check) => check.name).join(', ')}` : ''} (exit 2)`,
  ];
};

/** The `--json` report of an experiment record's reproduction: each member's report, then the statistics. */
export const experimentReproduceJson = (plan: ReproducePlan, result: ExperimentReproduction, tolerance: Tolerance): object => ({
  source: { tag: plan.docs.manifest.tag, run_dir: plan.source.verification.runDir, kind: plan.kind },
  status: result.status,
  exit_code: result.exitCode,
  tolerance,
  members: result.members.map(({ plan: member, outcome }) => reproduceJson(member, outcome, tolerance)),
  statistics: result.statistics,
});
