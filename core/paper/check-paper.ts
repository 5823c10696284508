import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { readUserText } from '../json-file.js';
import { requireProject } from '../project.js';
import { listRunTags } from '../verify/verify-project.js';
import { formatResultValue } from './format-value.js';
import { draftKindOf, scanDraft, type DraftScan, type ScannedNumber } from './draft-scan.js';
import { SPREAD_DECLARATION, isDlLabResultsFile } from './results-macros.js';
import { SPREADS, SPREAD_MEANING, meanBases, spreadValue, type Spread } from './spread.js';
import { compareStrings, lookupFailure, lookupRuns, resultPointer, type CitableRun, type RunLookup } from './runs.js';
import { dlLabCommand } from '../invocation.js';
import { suggestKey } from '../did-you-mean.js';

export type ViolationKind = 'unmatched-number' | 'unmatched-spread' | 'unknown-key' | 'missing-run' | 'unverified-run' | 'invalid-tag' | 'not-completed-run';

export interface PaperViolation {
  file: string;
  line: number;
  column: number;
  kind: ViolationKind;
  /** The number or citation as written in the draft. */
  text: string;
  message: string;
  /** For an unmatched number: the result it is closest to (relative difference), among the runs it was checked against. */
  nearest?: { tag: string; key: string; value: number };
}

export interface PaperReport {
  ok: boolean;
  files: string[];
  /** The runs numbers were checked against: those the drafts cite, or every verified run when none is cited. */
  runs: Array<{ tag: string; seal: string; cited: boolean }>;
  numbers_checked: number;
  citations_checked: number;
  violations: PaperViolation[];
}

/** Units whose values are fractions: a bare number in a draft may also quote them times 100 (a "%" column). */
const FRACTION_UNITS = /^(fraction|ratio|proportion|share)$/i;

const MAX_DRAFT_BYTES = 16 * 1024 * 1024;

/** Does a number as written match result `r`? |written − target| ≤ ½·10^−decimals, for each target form of r. */
export const numberMatches = (number: Pick<ScannedNumber, 'value' | 'decimals' | 'percent'>, result: number, unit: string): boolean =>
  targetsOf(number, result, unit).some((target) => Math.abs(number.value - target) <= halfUnit(number.decimals) * (1 + 1e-9) + 1e-12);

const halfUnit = (decimals: number): number => 0.5 * 10 ** -decimals;

/** A percentage matches 100·r (a fraction) or r (already in percent); a bare number matches r, or 100·r for fraction units. */
const targetsOf = (number: Pick<ScannedNumber, 'percent'>, result: number, unit: string): number[] =>
  number.percent ? [result * 100, result] : FRACTION_UNITS.test(unit) ? [result, result * 100] : [result];

interface Candidate { tag: string; key: string; value: number; unit: string }

const nearestResult = (number: ScannedNumber, candidates: readonly Candidate[]): Candidate | undefined => {
  let best: { candidate: Candidate; distance: number } | undefined;
  for (const candidate of candidates) {
    for (const target of targetsOf(number, candidate.value, candidate.unit)) {
      const distance = Math.abs(number.value - target) / Math.max(Math.abs(target), 1e-12);
      if (!best || distance < best.distance) best = { candidate, distance };
    }
  }
  return best?.candidate;
};

const toPosix = (path: string): string => path.split(sep).join('/');

interface Draft { path: string; label: string; text: string; scan: DraftScan }

const readDraft = (cwd: string, given: string): Draft => {
  const path = resolve(cwd, given);
  const label = toPosix(relative(cwd, path)) || given;
  const kind = draftKindOf(path);
  if (!kind) throw new UserError(`${given}: not a draft check-paper reads (use .tex or .md)`, { file: given });
  const text = readUserText(path, given, MAX_DRAFT_BYTES, 'drafts');
  return { path, label, text, scan: scanDraft(text, kind) };
};

/** A file the draft pulls in or links, when it is a results macros file that `dl-lab paper` wrote: its text. */
const macrosFileText = (root: string, draftPath: string, reference: string): string | undefined => {
  const names = /\.(tex|md)$/.test(reference) ? [reference] : [reference, `${reference}.tex`];
  for (const base of [dirname(draftPath), root]) {
    for (const name of names) {
      const path = resolve(base, name);
      try {
        if (!existsSync(path) || !statSync(path).isFile()) continue;
        const text = readFileSync(path, 'utf8');
        return isDlLabResultsFile(text) ? text : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
};

/** The tags a results macros file holds. */
const macrosFileTags = (text: string): string[] =>
  [...new Set([...text.matchAll(/artifacts\/runs\/([A-Za-z0-9][A-Za-z0-9._-]*?)\/analysis\.json:results\./g)].map((m) => m[1]))];

/** One draft as the assessment sees it: its scan, and the runs it cites through a results macros file. */
export interface DraftInput {
  label: string;
  scan: DraftScan;
  macrosCitations?: Array<{ tag: string; line: number; column: number; text: string }>;
  /** The spread the results macros files it uses declare (`dl-lab paper --spread`); none declared: any of std, sem, ci95. */
  declaredSpreads?: Spread[];
}

interface Site { label: string; line: number; column: number; text: string }

/** Every run the drafts cite, with each place it is cited. */
export const citedRuns = (drafts: readonly DraftInput[]): Map<string, Site[]> => {
  const citedAt = new Map<string, Site[]>();
  const cite = (tag: string, site: Site): void => {
    const sites = citedAt.get(tag) ?? [];
    sites.push(site);
    citedAt.set(tag, sites);
  };
  for (const draft of drafts) {
    for (const c of draft.scan.citations) cite(c.tag, { label: draft.label, line: c.line, column: c.column, text: c.text });
    for (const m of draft.scan.mentions) cite(m.tag, { label: draft.label, line: m.line, column: m.column, text: m.text });
    for (const m of draft.macrosCitations ?? []) cite(m.tag, { label: draft.label, line: m.line, column: m.column, text: m.text });
  }
  return citedAt;
};

/**
 * The rule, without I/O: `lookups` holds every cited run (see `citedRuns`); `uncitedRuns` the
 * verified runs numbers are checked against when the drafts cite none.
 */
export const assessDrafts = (drafts: readonly DraftInput[], lookups: ReadonlyMap<string, RunLookup>, uncitedRuns: readonly CitableRun[] = []): PaperReport => {
  const violations: PaperViolation[] = [];
  const citedAt = citedRuns(drafts);
  for (const [tag, sites] of citedAt) {
    const lookup = lookups.get(tag) ?? { status: 'missing', tag, runDir: `artifacts/runs/${tag}`, problems: [] };
    if (lookup.status === 'ok') continue;
    const kind: ViolationKind =
      lookup.status === 'missing' ? 'missing-run' : lookup.status === 'invalid-tag' ? 'invalid-tag' : lookup.status === 'not-completed' ? 'not-completed-run' : 'unverified-run';
    const detail = lookup.status === 'unverified' ? `: ${lookup.problems.slice(0, 3).join('; ')}${lookup.problems.length > 3 ? `; … ${lookup.problems.length - 3} more (${dlLabCommand('verify', tag)})` : ''}` : '';
    for (const site of sites) {
      violations.push({ file: site.label, line: site.line, column: site.column, kind, text: site.text, message: `${lookupFailure(lookup)}${detail}${lookup.status === 'unverified' ? '; only verified runs may be cited' : ''}` });
    }
  }
  let citationsChecked = 0;
  for (const draft of drafts) {
    for (const citation of draft.scan.citations) {
      citationsChecked++;
      const lookup = lookups.get(citation.tag);
      if (lookup?.status !== 'ok') continue;
      const { run } = lookup;
      const pm = citation.form === 'macro-pm';
      if (pm ? Object.hasOwn(run.results, `${citation.key}.mean`) : Object.hasOwn(run.results, citation.key)) continue;
      const keys = pm ? meanBases(run.results).sort(compareStrings) : Object.keys(run.results).sort(compareStrings);
      const suggestion = suggestKey(citation.key, keys);
      violations.push({
        file: draft.label,
        line: citation.line,
        column: citation.column,
        kind: 'unknown-key',
        text: citation.text,
        message: pm
          ? `${run.runDir}/analysis.json has no results.${citation.key}.mean: \\dlresultpm takes <variant>.<key> of an experiment record${suggestion ? ` (did you mean ${suggestion}?)` : ''}; its means: ${keys.join(', ') || 'none (not an experiment record)'}`
          : `${run.runDir}/analysis.json has no results.${citation.key}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; its results: ${keys.join(', ')}`,
      });
    }
  }

  // The runs numbers are checked against: the cited ones that verify, or (none cited) every verified run.
  const cited = citedAt.size > 0;
  const runs = (cited
    ? [...citedAt.keys()].map((tag) => lookups.get(tag)).filter((l): l is { status: 'ok'; run: CitableRun } => l?.status === 'ok').map((l) => l.run)
    : [...uncitedRuns]
  ).sort((a, b) => compareStrings(a.tag, b.tag));
  const candidates: Candidate[] = runs.flatMap((run) =>
    Object.keys(run.results)
      .sort(compareStrings)
      .map((key) => ({ tag: run.tag, key, value: run.results[key], unit: run.definitions[key]?.unit ?? '' })),
  );
  const formatted = (candidate: Candidate): string =>
    formatResultValue(candidate.value, runs.find((r) => r.tag === candidate.tag)!.definitions[candidate.key]).text;

  let numbersChecked = 0;
  for (const draft of drafts) {
    for (const number of draft.scan.numbers) {
      numbersChecked++;
      if (number.spreadOf !== undefined) {
        const violation = spreadViolation(number, draft.scan.numbers[number.spreadOf], runs, draft.declaredSpreads ?? [...SPREADS], cited);
        if (violation) violations.push({ file: draft.label, line: number.line, column: number.column, text: number.text, ...violation });
        continue;
      }
      if (candidates.some((candidate) => numberMatches(number, candidate.value, candidate.unit))) continue;
      const nearest = nearestResult(number, candidates);
      const against = runs.length === 0 ? (cited ? 'none of the cited runs passes verification, so there is nothing to check it against' : 'the project has no verified run to check it against')
        : `it matches no result of ${cited ? 'the cited runs' : 'the verified runs'} (${runs.map((r) => r.tag).join(', ')})`;
      violations.push({
        file: draft.label,
        line: number.line,
        column: number.column,
        kind: 'unmatched-number',
        text: number.text,
        message:
          `${number.text} in a results context: ${against}` +
          (nearest ? `; nearest: ${resultPointer(nearest.tag, nearest.key)} = ${nearest.value} (\\dlresult{${nearest.tag}}{${nearest.key}} = ${formatted(nearest)})` : '') +
          '; quote the run, or waive it with a dl-lab: not-a-result comment',
        ...(nearest ? { nearest: { tag: nearest.tag, key: nearest.key, value: nearest.value } } : {}),
      });
    }
  }
  violations.sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line || a.column - b.column || compareStrings(a.kind, b.kind));
  return {
    ok: violations.length === 0,
    files: drafts.map((d) => d.label),
    runs: runs.map((run) => ({ tag: run.tag, seal: run.seal, cited })),
    numbers_checked: numbersChecked,
    citations_checked: citationsChecked,
    violations,
  };
};

/**
 * The `s` of `m ± s`: fine when `m` matches the mean of an experiment result and `s`, to the digits
 * written, one of its declared spreads; otherwise an `unmatched-spread` saying what it is instead.
 */
const spreadViolation = (
  spread: ScannedNumber,
  mean: ScannedNumber,
  runs: readonly CitableRun[],
  declared: readonly Spread[],
  cited: boolean,
): Pick<PaperViolation, 'kind' | 'message' | 'nearest'> | undefined => {
  const means = runs.filter((run) => run.experiment).flatMap((run) =>
    meanBases(run.results)
      .filter((base) => numberMatches(mean, run.results[`${base}.mean`], run.definitions[`${base}.mean`]?.unit ?? ''))
      .map((base) => ({ run, base, unit: run.definitions[`${base}.mean`]?.unit ?? '' })),
  );
  const undeclared: string[] = [];
  for (const { run, base, unit } of means) {
    for (const kind of SPREADS) {
      const value = spreadValue(run.results, base, kind);
      if (value === undefined || !numberMatches(spread, value, unit)) continue;
      if (declared.includes(kind)) return undefined;
      undeclared.push(`the ${kind} of ${run.tag} ${base}`);
    }
  }
  const which = declared.map((kind) => `${kind} (${SPREAD_MEANING[kind]})`).join(', ');
  const source = cited ? 'the cited runs' : 'the verified runs';
  if (means.length === 0) {
    return { kind: 'unmatched-spread', message: `± ${spread.text}: ${mean.text} is the mean of no experiment result of ${source}, so the spread cannot be checked; quote an experiment record (dl-lab aggregate, dl-lab paper --spread)` };
  }
  const { run, base } = means[0];
  const values = SPREADS.map((kind) => `${kind} ${spreadValue(run.results, base, kind) ?? 'n/a'}`).join(', ');
  return {
    kind: 'unmatched-spread',
    message: undeclared.length > 0
      ? `± ${spread.text} is ${undeclared[0]}, but the results file declares the spread as ${which}; regenerate it with dl-lab paper --spread, or quote the declared spread`
      : `± ${spread.text} matches no declared spread (${which}) of ${run.tag} ${base} (mean ${run.results[`${base}.mean`]}): ${values}`,
    nearest: { tag: run.tag, key: `${base}.mean`, value: run.results[`${base}.mean`] },
  };
};

/**
 * Check drafts against the project's runs (the rule: README "dl-lab check-paper"): every citation
 * of a run resolves to an existing, verified run (and, for `\dlresult` and result pointers, an
 * existing results key); every number in a results context equals, after rounding to the digits
 * written, a result of a cited run (every verified run when the drafts cite none), unless waived.
 */
export const checkPaper = async (cwd: string, files: readonly string[]): Promise<PaperReport> => {
  if (files.length === 0) throw new UserError(`give at least one draft to check (a .tex or .md file), e.g. ${dlLabCommand('check-paper', 'Draft_Derivation.md')}`, { field: 'files' });
  const { root } = requireProject(cwd);
  const drafts: DraftInput[] = files.map((file) => {
    const draft = readDraft(cwd, file);
    const macrosFiles = draft.scan.files.flatMap((ref) => {
      const text = macrosFileText(root, draft.path, ref.path);
      return text === undefined ? [] : [{ ref, text }];
    });
    const macrosCitations = macrosFiles.flatMap(({ ref, text }) => macrosFileTags(text).map((tag) => ({ tag, line: ref.line, column: ref.column, text: ref.path })));
    const declaredSpreads = [...new Set(macrosFiles.flatMap(({ text }) => SPREAD_DECLARATION.exec(text)?.[1] ?? []))] as Spread[];
    return { label: draft.label, scan: draft.scan, macrosCitations, ...(declaredSpreads.length > 0 ? { declaredSpreads } : {}) };
  });
  const tags = [...citedRuns(drafts).keys()];
  const lookups = new Map((await lookupRuns(root, tags)).map((lookup, index) => [tags[index], lookup]));
  let uncited: CitableRun[] = [];
  if (tags.length === 0) {
    const all = await lookupRuns(root, await listRunTags(root));
    uncited = all.filter((l): l is { status: 'ok'; run: CitableRun } => l.status === 'ok').map((l) => l.run);
  }
  return assessDrafts(drafts, lookups, uncited);
};

/** One line per violation (`file:line:column: kind: message`), then a summary line. */
export const paperReportLines = (report: PaperReport): string[] => {
  const lines = report.violations.map((v) => `${v.file}:${v.line}:${v.column}: ${v.kind}: ${v.message}`);
  const runs = report.runs.length === 0 ? 'no verified run' : `${report.runs[0].cited ? 'cited' : 'all verified'} runs: ${report.runs.map((r) => r.tag).join(', ')}`;
  lines.push(
    `${report.ok ? 'ok' : 'FAIL'}: ${report.files.length} draft(s), ${report.numbers_checked} number(s) in results contexts and ${report.citations_checked} citation(s) checked against ${runs}` +
      (report.ok ? '' : `; ${report.violations.length} violation(s)`),
  );
  return lines;
};
