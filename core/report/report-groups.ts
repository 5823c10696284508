import { member, type RunDocuments } from '../runs/run-documents.js';

/** A trial's place in an experiment (manifest.json `experiment`, contract 1.1, or the record's member list). */
export interface ExperimentMembership { name: string; variant: string | null; seed: number | null }

/** One variant of an experiment record, as the report shows it: the primary metric's mean and 95 % CI, and its members. */
export interface VariantSummary { name: string; n: number | null; mean: number | null; ci95: [number, number] | null; members: string[] }

/** What the report needs of an experiment record (experiment.json, read defensively: its schema is not this module's). */
export interface ExperimentSummary {
  name: string;
  version: number;
  record: string;
  primary_metric: string | null;
  variants: VariantSummary[];
  members: Array<{ tag: string; variant: string | null; seed: number | null; status: string | null }>;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const interval = (value: unknown): [number, number] | null =>
  Array.isArray(value) && value.length === 2 && value.every((bound) => number(bound) !== null) ? [value[0], value[1]] : null;

/** The experiment a run folder records, if it is an experiment record (`dl-lab aggregate` writes experiment.json beside the run documents). */
export const readExperimentRecord = (run: RunDocuments): ExperimentSummary | undefined => {
  const record = run.get('experiment');
  const name = text(member(record, 'name'));
  if (!record || !name) return undefined;
  const primary = text(member(record, 'primary_metric'));
  const members = (Array.isArray(record.members) ? record.members : []).flatMap((entry) => {
    const tag = text(member(entry, 'tag'));
    return tag ? [{ tag, variant: text(member(entry, 'variant')), seed: number(member(entry, 'seed')), status: text(member(entry, 'status')) }] : [];
  });
  const statistics = member(record, 'statistics');
  const names = [...new Set([...Object.keys(member(record, 'variants') ?? {}), ...Object.keys(statistics ?? {}), ...members.flatMap((m) => (m.variant ? [m.variant] : []))])];
  const variants = names.map((variant): VariantSummary => {
    const stats = primary ? member(member(statistics, variant), primary) : undefined;
    return {
      name: variant,
      n: number(member(stats, 'n')),
      mean: number(member(stats, 'mean')),
      ci95: interval(member(stats, 'ci95')),
      members: members.filter((m) => m.variant === variant).map((m) => m.tag),
    };
  });
  return { name, version: number(member(record, 'version')) ?? 1, record: run.tag, primary_metric: primary, variants, members };
};

/** A trial's experiment from its manifest (contract 1.1), read defensively. */
export const manifestExperiment = (run: RunDocuments): ExperimentMembership | undefined => {
  const experiment = run.top('manifest', 'experiment');
  const name = text(member(experiment, 'name'));
  return name ? { name, variant: text(member(experiment, 'variant')), seed: number(member(experiment, 'seed')) } : undefined;
};

/** Runs without an experiment group by their tag up to the last `.` or `-` (`M2-wide-s1` → `M2-wide`); a tag without either is its own group. */
export const tagPrefixGroup = (tag: string): string => {
  const cut = Math.max(tag.lastIndexOf('.'), tag.lastIndexOf('-'));
  return cut > 0 ? tag.slice(0, cut) : tag;
};

/** The latest version of each experiment's record (a re-aggregation writes `<NAME>.v2`, never edits `<NAME>`). */
export const latestRecords = (records: readonly ExperimentSummary[]): Map<string, ExperimentSummary> => {
  const latest = new Map<string, ExperimentSummary>();
  for (const record of records) {
    const seen = latest.get(record.name);
    if (!seen || record.version > seen.version) latest.set(record.name, record);
  }
  return latest;
};

/** Every member of the latest records, by tag: where it belongs when its own manifest does not say. */
export const membershipByTag = (latest: ReadonlyMap<string, ExperimentSummary>): Map<string, ExperimentMembership> =>
  new Map([...latest.values()].flatMap((record) => record.members.map((m) => [m.tag, { name: record.name, variant: m.variant, seed: m.seed }] as const)));
