import type { AggregateResult } from './aggregate.js';
import { dlLabCommand } from '../invocation.js';
import { RUNS_DIR } from '../project.js';

/** The closing summary of `dl-lab aggregate`: where the record is, each variant's primary result, what to do next. */
export const aggregateSummaryLines = (result: AggregateResult): string[] => {
  const { experiment } = result.documents;
  const counts = (status: string) => experiment.members.filter((m) => m.status === status).length;
  const notCompleted = ['failed', 'interrupted', 'missing'].map((s) => [s, counts(s)] as const).filter(([, n]) => n > 0);
  const lines = [
    result.kind === 'written'
      ? `wrote experiment record ${result.tag} -> ${RUNS_DIR}/${result.tag}/ (version ${result.version}, seal ${(result.published.manifest as { seal: { digest: string } }).seal.digest.slice(0, 12)})`
      : `experiment record ${result.tag} is up to date (version ${result.version}: same plan, same member runs); nothing written`,
    `members: ${counts('completed')} completed of ${experiment.members.length}${notCompleted.length ? ` (${notCompleted.map(([s, n]) => `${n} ${s}`).join(', ')})` : ''}`,
  ];
  const { members } = experiment;
  for (const [i, member] of members.entries()) {
    if (member.status === 'completed') continue;
    // A later attempt of the same trial (attempts.ts) follows it in the list: same variant and seed.
    const retry = members.slice(i + 1).find((m) => m.variant === member.variant && m.seed === member.seed);
    lines.push(
      `  ${member.status}: ${member.tag}${member.exit_status === null ? '' : ` (exit status ${member.exit_status})`}${member.status_reason ? `: ${member.status_reason.split('\n')[0]}` : ''}` +
        (retry ? `; attempted again: ${retry.tag} (${retry.status})` : ''),
    );
  }
  for (const [variant, byKey] of Object.entries(experiment.statistics)) {
    const stats = byKey[experiment.primary_metric];
    if (!stats) continue;
    const ci = stats.ci95 ? `, 95% CI [${stats.ci95[0].toPrecision(4)}, ${stats.ci95[1].toPrecision(4)}]` : '';
    lines.push(`  ${variant}: ${experiment.primary_metric} mean ${stats.mean.toPrecision(4)}${stats.std === null ? '' : ` ± ${stats.std.toPrecision(2)} (std)`}${ci}, n = ${stats.n}`);
  }
  const variants = Object.keys(experiment.statistics);
  // With no completed member there are no statistics: an example key would name one that does not exist.
  if (counts('completed') === 0) {
    lines.push('no completed member: no statistics to cite');
    lines.push(`next: ${dlLabCommand('verify', result.tag)}`);
    return lines;
  }
  lines.push(`cite statistics as ${RUNS_DIR}/${result.tag}/analysis.json:results.<variant>.<key>.<stat> (e.g. ${variants[0] ?? 'base'}.${experiment.primary_metric}.mean)`);
  // One `next:` line a command: a line is pasted into a shell whole.
  lines.push(`next: ${dlLabCommand('verify', result.tag)}`, `next: ${dlLabCommand('paper', `${result.tag} --spread ci95`)}`);
  if (variants.length >= 2) lines.push(`next: ${dlLabCommand('compare', `${result.tag}:${variants[0]} ${result.tag}:${variants[1]}`)}`);
  return lines;
};
