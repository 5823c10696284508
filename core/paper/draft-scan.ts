/**
 * Finds, in a LaTeX or Markdown draft, the numbers that claim to be results and the citations of
 * runs. The rule it implements is documented in README.md ("dl-lab check-paper") and in the
 * check-paper USAGE; keep the three in step.
 *
 * The draft is turned into a mask of the same length (1 = not checked: comments, math displays,
 * citations, references, URLs, code, headings, table headers and row labels, waived lines...) and
 * a context per character (outside results, results prose, table). Numbers are then read from the
 * unmasked text with the neighbour rules of `extractNumbers` (identifiers, years, references...).
 */

export type DraftKind = 'tex' | 'md';
export type NumberContext = 'prose' | 'table';

export interface ScannedNumber {
  /** 1-based line and column of the first character (the sign, if any). */
  line: number;
  column: number;
  /** As written, e.g. `91.3\%`, `0.948`, `-0.5`, `1.2\times 10^{-3}`. */
  text: string;
  /** The value as written (a percentage is not divided by 100). */
  value: number;
  /** Decimal places as written (negative for `× 10^k` with k above them). */
  decimals: number;
  percent: boolean;
  integer: boolean;
  context: NumberContext;
  /** The spread of an `m ± s` (`$m \pm s$`, `m±s`, `m (±s)`): the index, in `numbers`, of its mean `m`. */
  spreadOf?: number;
}

export interface ScannedCitation {
  line: number;
  column: number;
  text: string;
  tag: string;
  key: string;
  /** `\dlresult{T}{k}` / `\dlresultunit{T}{k}`, `\dlresultpm{T}{<variant>.<key>}` (an experiment's mean ± spread), or a pointer `artifacts/runs/T/analysis.json:results.k`. */
  form: 'macro' | 'macro-pm' | 'pointer';
}

/** Any other mention of `artifacts/runs/<TAG>` (a figure path, a folder): the run must exist and verify. */
export interface ScannedMention { line: number; column: number; text: string; tag: string }

/** A file the draft pulls in or links (`\input{…}`, a `.tex`/`.md` path): maybe a results macros file. */
export interface ScannedFileReference { line: number; column: number; path: string }

export interface DraftScan {
  numbers: ScannedNumber[];
  citations: ScannedCitation[];
  mentions: ScannedMention[];
  files: ScannedFileReference[];
}

/** Section titles that open a results context, and those that close it even inside one. */
export const RESULTS_HEADING = /result|experiment|evaluation|ablation|abstract/i;
export const NOT_RESULTS_HEADING = /set-?up|protocol|implementation|hyper-?param|training details|settings?\b/i;
export const WAIVER = /dl-lab:\s*not-a-result/i;

export const draftKindOf = (path: string): DraftKind | undefined =>
  /\.(tex|ltx|latex)$/i.test(path) ? 'tex' : /\.(md|markdown|mdown|mkd)$/i.test(path) ? 'md' : undefined;

// ---------------------------------------------------------------------------------------------
// Shared state of one scan

const CTX_NONE = 0;
const CTX_PROSE = 1;
const CTX_TABLE = 2;

interface Heading { pos: number; level: number; title: string }
interface Block { startLine: number; endLine: number; start: number; end: number }
interface Comment { start: number; end: number; text: string }

class Scan {
  readonly n: number;
  readonly mask: Uint8Array;
  readonly ctx: Uint8Array;
  readonly lineStarts: number[] = [0];
  readonly headings: Heading[] = [];
  readonly blocks: Block[] = [];
  readonly comments: Comment[] = [];
  readonly tableRanges: Array<[number, number]> = [];
  readonly resultsRanges: Array<[number, number]> = [];
  /** Position of a `^` in math -> the integer exponent written after it (for `1.2\times10^{-3}`). */
  readonly exponents = new Map<number, number>();
  readonly files: ScannedFileReference[] = [];

  constructor(readonly text: string, readonly kind: DraftKind) {
    this.n = text.length;
    this.mask = new Uint8Array(this.n);
    this.ctx = new Uint8Array(this.n);
    for (let i = 0; i < this.n; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  maskRange(start: number, end: number): void {
    this.mask.fill(1, Math.max(0, start), Math.min(this.n, end));
  }

  /**
   * Masks from `start` through the first `token` at or after `from`, or up to `limit` when there is
   * none before it (an unclosed `\[` or `\iffalse` hides the rest); returns where scanning resumes.
   */
  maskThrough(start: number, from: number, token: string, limit: number): number {
    const close = this.text.indexOf(token, from);
    const stop = close < 0 || close >= limit ? limit : close + token.length;
    this.maskRange(start, stop);
    return stop;
  }

  /** 0-based line of a position. */
  lineOf(pos: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  lineStart(line: number): number {
    return this.lineStarts[line];
  }

  /** End of a line (the position of its newline, or the end of the text). */
  lineEnd(line: number): number {
    return line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.n;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  where(pos: number): { line: number; column: number } {
    const line = this.lineOf(pos);
    return { line: line + 1, column: pos - this.lineStarts[line] + 1 };
  }

  inComment(pos: number): boolean {
    return this.comments.some((c) => pos >= c.start && pos < c.end);
  }
}

const isLetter = (c: string | undefined): boolean => c !== undefined && /\p{L}/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r';

// ---------------------------------------------------------------------------------------------
// LaTeX commands

/** Commands whose brace arguments are never results (references, files, layout); value = how many. */
const SKIP_ARGS: Record<string, number> = {
  label: 1, ref: 1, eqref: 1, pageref: 1, autoref: 1, cref: 1, Cref: 1, vref: 1, nameref: 1, crefrange: 2, Crefrange: 2, cpageref: 1,
  url: 1, href: 1, path: 1, nolinkurl: 1, hyperlink: 1, hypertarget: 1,
  includegraphics: 1, includepdf: 1, input: 1, include: 1, subfile: 1, import: 2, InputIfFileExists: 1,
  bibliography: 1, bibliographystyle: 1, addbibresource: 1, bibitem: 1, usepackage: 1, RequirePackage: 1, documentclass: 1, graphicspath: 1,
  dlresult: 2, dlresultunit: 2, dlresultpm: 2, DlLabDefineResult: 4, DlLabDefineResultPm: 3, DlLabLookup: 3,
  multicolumn: 2, multirow: 2, cline: 1, cmidrule: 1, hhline: 1, specialrule: 3, arrayrulecolor: 1,
  hspace: 1, vspace: 1, setlength: 2, addtolength: 2, settowidth: 2, setcounter: 2, addtocounter: 2, stepcounter: 1, refstepcounter: 1, newcounter: 1,
  rule: 2, raisebox: 1, resizebox: 2, scalebox: 1, rotatebox: 1, adjustbox: 1, makebox: 0, framebox: 0, parbox: 1,
  phantom: 1, hphantom: 1, vphantom: 1, textsuperscript: 1, textsubscript: 1, tnote: 1, footnotemark: 0,
  color: 1, textcolor: 1, colorbox: 1, cellcolor: 1, rowcolor: 1, columncolor: 1, definecolor: 3, pagecolor: 1,
  linespread: 1, fontsize: 2, pagestyle: 1, thispagestyle: 1, pagenumbering: 1, hypersetup: 1, sisetup: 1, captionsetup: 1, geometry: 1,
  pgfmathsetmacro: 2, newlength: 1, DeclareMathOperator: 2, numberwithin: 2,
  begin: 1, end: 1,
};
const CITE = /cite/i;
const HEADINGS: Record<string, number> = { part: 0, chapter: 1, section: 2, subsection: 3, subsubsection: 4, paragraph: 5, subparagraph: 6 };
/** Environments skipped whole: displayed math (derivations, equation numbers), code, drawings, bibliography. */
const SKIP_ENVS = new Set([
  'equation', 'align', 'alignat', 'gather', 'multline', 'flalign', 'eqnarray', 'displaymath', 'dmath', 'subequations',
  'verbatim', 'Verbatim', 'lstlisting', 'minted', 'comment', 'filecontents', 'tikzpicture', 'pgfpicture', 'axis',
  'algorithm', 'algorithmic', 'algorithm2e', 'thebibliography', 'figure-code',
]);
/** Table environments: their cells are a results context anywhere in the draft. */
const TABLE_ENVS = new Set(['tabular', 'tabularx', 'tabulary', 'longtable', 'array', 'tblr', 'longtblr', 'NiceTabular', 'supertabular', 'xtabular', 'tabu']);
/** Brace arguments taken by environments (not text): `\begin{tabular}{lcc}`, `\begin{minipage}{0.5\textwidth}`. */
const ENV_ARGS: Record<string, number> = {
  tabular: 1, 'tabular*': 2, tabularx: 2, tabulary: 2, longtable: 1, array: 1, tblr: 1, longtblr: 1, NiceTabular: 1, supertabular: 1, xtabular: 1,
  minipage: 1, wrapfigure: 2, wraptable: 2, multicols: 1, subfigure: 1, subtable: 1, adjustbox: 1, threeparttable: 0,
};
const envBase = (name: string): string => name.replace(/\*$/, '');

// ---------------------------------------------------------------------------------------------
// Brace and bracket matching (TeX comments inside a group are skipped in .tex)

const matchGroup = (scan: Scan, open: number, openChar: string, closeChar: string, limit = 20000): number => {
  const { text } = scan;
  let depth = 0;
  const stop = Math.min(scan.n, open + limit);
  for (let i = open; i < stop; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '%' && scan.kind === 'tex') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return -1;
      i = nl;
      continue;
    }
    if (c === openChar || (openChar === '[' && c === '{')) depth++;
    else if (c === closeChar || (openChar === '[' && c === '}')) {
      depth--;
      if (depth === 0) return c === closeChar ? i + 1 : -1;
      if (depth < 0) return -1;
    }
    // A blank line ends any argument: never mask past a paragraph on a missing brace.
    if (c === '\n' && text[i + 1] === '\n') return -1;
  }
  return -1;
};

/** Skip spaces and at most one newline (as TeX does between a command and its arguments). */
const skipSpace = (text: string, i: number): number => {
  let newline = false;
  while (i < text.length) {
    if (isSpace(text[i])) i++;
    else if (text[i] === '\n' && !newline) {
      newline = true;
      i++;
    } else break;
  }
  return i;
};

/** The name of the control sequence at `i` (a backslash): letters, or one other character. */
const readControl = (text: string, i: number): { name: string; end: number } => {
  let j = i + 1;
  if (j >= text.length) return { name: '', end: j };
  if (/[A-Za-z@]/.test(text[j])) {
    while (j < text.length && /[A-Za-z@]/.test(text[j])) j++;
    if (text[j] === '*') j++;
    return { name: text.slice(i + 1, j), end: j };
  }
  return { name: text[j], end: j + 1 };
};

/**
 * Mask the arguments after a command: optional `[…]` ones (always) and `count` brace groups.
 * Returns the end of what was masked and the brace groups' contents.
 */
const maskArguments = (scan: Scan, from: number, count: number, maskBraces = true): { end: number; groups: Array<{ start: number; end: number }> } => {
  const { text } = scan;
  let i = from;
  const groups: Array<{ start: number; end: number }> = [];
  for (;;) {
    const j = skipSpace(text, i);
    if (text[j] === '[') {
      const close = matchGroup(scan, j, '[', ']', 2000);
      if (close < 0) break;
      scan.maskRange(j, close);
      i = close;
      continue;
    }
    if (text[j] === '(' && groups.length === 0 && /cmidrule$/.test(text.slice(Math.max(0, from - 8), from))) {
      const close = text.indexOf(')', j);
      if (close < 0 || close - j > 20) break;
      scan.maskRange(j, close + 1);
      i = close + 1;
      continue;
    }
    if (groups.length < count && text[j] === '{') {
      const close = matchGroup(scan, j, '{', '}');
      if (close < 0) break;
      if (maskBraces) scan.maskRange(j, close);
      groups.push({ start: j + 1, end: close - 1 });
      i = close;
      continue;
    }
    break;
  }
  return { end: i, groups };
};

// ---------------------------------------------------------------------------------------------
// The LaTeX walker (also used on Markdown prose for inline math and raw LaTeX commands)

interface WalkOptions {
  /** `%` starts a comment (TeX) or is a percent sign (Markdown). */
  percentComments: boolean;
  /** Track \begin/\end environments and \section headings (TeX only). */
  structure: boolean;
  /** `$` math by TeX's rule, or by pandoc's (no space after the opening `$`, none before the closing one, no digit after it). */
  dollars: 'tex' | 'pandoc';
}

interface OpenEnv { name: string; start: number; contentStart: number; line: number }

const walkTex = (scan: Scan, from: number, to: number, options: WalkOptions): void => {
  const { text } = scan;
  const envs: OpenEnv[] = [];
  let math: { close: string } | undefined;
  let i = from;
  while (i < to) {
    if (scan.mask[i] && scan.kind === 'md') {
      i++;
      continue;
    }
    const c = text[i];
    if (c === '%' && options.percentComments) {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? scan.n : nl;
      scan.comments.push({ start: i, end, text: text.slice(i + 1, end) });
      scan.maskRange(i, end);
      i = end;
      continue;
    }
    if (c === '$') {
      if (text[i + 1] === '$') {
        const close = text.indexOf('$$', i + 2);
        const end = close < 0 || close >= to ? to : close + 2;
        scan.maskRange(i, end);
        i = end;
        continue;
      }
      if (math?.close === '$') {
        math = undefined;
        i++;
        continue;
      }
      if (!math) {
        if (options.dollars === 'pandoc') {
          const close = pandocMathClose(text, i, to);
          if (close < 0) {
            i++;
            continue;
          }
        }
        math = { close: '$' };
        i++;
        continue;
      }
      i++;
      continue;
    }
    if (math && (c === '^' || c === '_')) {
      let j = skipSpace(text, i + 1);
      let end = j + 1;
      if (text[j] === '{') {
        const close = matchGroup(scan, j, '{', '}', 500);
        end = close < 0 ? j + 1 : close;
      } else if (text[j] === '\\') end = readControl(text, j).end;
      else if (text[j] === '-' || text[j] === '−') {
        j++;
        while (isDigit(text[end])) end++;
      }
      if (c === '^') {
        const exponent = /^\{?\s*([-−+]?\d+)\s*\}?$/.exec(text.slice(i + 1, end).trim());
        if (exponent) scan.exponents.set(i, Number(exponent[1].replace('−', '-')));
      }
      scan.maskRange(i + 1, end);
      i = end;
      continue;
    }
    if (c !== '\\') {
      i++;
      continue;
    }
    const { name, end } = readControl(text, i);
    if (name === '(' || name === ')') {
      math = name === '(' ? { close: ')' } : undefined;
      i = end;
      continue;
    }
    if (name === '[') {
      i = scan.maskThrough(i, end, '\\]', to);
      continue;
    }
    if (name === '\\') {
      // a row or line break, maybe with spacing: \\[2pt]
      i = maskArguments(scan, end, 0).end;
      continue;
    }
    if (name.length === 1 && !/[A-Za-z@]/.test(name)) {
      i = end; // \% \& \$ \_ \{ \} \, \; \! \  …
      continue;
    }
    if (name === 'verb' || name === 'verb*' || name === 'lstinline') {
      const delimiter = text[end];
      const close = delimiter === '{' ? matchGroup(scan, end, '{', '}', 2000) : delimiter ? text.indexOf(delimiter, end + 1) + 1 : 0;
      const stop = close > 0 && close <= to ? close : end;
      scan.maskRange(i, stop);
      i = stop;
      continue;
    }
    if (name === 'iffalse') {
      i = scan.maskThrough(i, end, '\\fi', to);
      continue;
    }
    if (/^(newcommand|renewcommand|providecommand|newenvironment|renewenvironment|def|gdef|edef|xdef|let)\*?$/.test(name)) {
      // A definition: mask it whole (name, parameters, body).
      let j = skipSpace(text, end);
      if (text[j] === '{') j = Math.max(j + 1, matchGroup(scan, j, '{', '}', 500));
      else if (text[j] === '\\') j = readControl(text, j).end;
      const bodies = /environment/.test(name) ? 2 : name === 'let' ? 0 : 1;
      let k = j;
      for (let b = 0; b < bodies; b++) {
        while (k < to && text[k] !== '{' && text[k] !== '\n') k++;
        if (text[k] !== '{') break;
        const close = matchGroup(scan, k, '{', '}');
        if (close < 0) break;
        k = close;
      }
      const stop = name === 'let' ? Math.min(to, skipSpace(text, j) + 2) : Math.max(k, j);
      scan.maskRange(i, stop);
      i = stop;
      continue;
    }
    if (options.structure && (name === 'begin' || name === 'end')) {
      const j = skipSpace(text, end);
      const close = text[j] === '{' ? matchGroup(scan, j, '{', '}', 200) : -1;
      if (close < 0) {
        i = end;
        continue;
      }
      const env = text.slice(j + 1, close - 1).trim();
      const base = envBase(env);
      if (name === 'begin') {
        if (SKIP_ENVS.has(base)) {
          const endTag = `\\end{${env}}`;
          const stop = text.indexOf(endTag, close);
          const stopAt = stop < 0 ? to : stop + endTag.length;
          scan.maskRange(i, stopAt);
          scan.blocks.push({ startLine: scan.lineOf(i), endLine: scan.lineOf(stopAt - 1), start: i, end: stopAt });
          i = stopAt;
          continue;
        }
        if (env === 'document') {
          scan.maskRange(from, close); // the preamble: packages, macros, title page
        }
        scan.maskRange(i, close);
        const args = maskArguments(scan, close, Object.hasOwn(ENV_ARGS, env) ? ENV_ARGS[env] : Object.hasOwn(ENV_ARGS, base) ? ENV_ARGS[base] : 0);
        envs.push({ name: env, start: i, contentStart: args.end, line: scan.lineOf(i) });
        i = args.end;
        continue;
      }
      scan.maskRange(i, close);
      const at = envs.map((e) => e.name).lastIndexOf(env);
      if (at >= 0) {
        const open = envs[at];
        envs.length = at;
        scan.blocks.push({ startLine: open.line, endLine: scan.lineOf(close - 1), start: open.start, end: close });
        if (TABLE_ENVS.has(base)) scan.tableRanges.push([open.contentStart, i]);
        if (base === 'abstract') scan.resultsRanges.push([open.contentStart, i]);
      }
      if (env === 'document') {
        scan.maskRange(i, to); // nothing after \end{document} is typeset
        i = to;
        continue;
      }
      i = close;
      continue;
    }
    if (options.structure && Object.hasOwn(HEADINGS, name.replace(/\*$/, ''))) {
      const args = maskArguments(scan, end, 1);
      scan.maskRange(i, args.end);
      const title = args.groups[0] ? text.slice(args.groups[0].start, args.groups[0].end) : '';
      scan.headings.push({ pos: i, level: HEADINGS[name.replace(/\*$/, '')], title });
      i = args.end;
      continue;
    }
    const bare = name.replace(/\*$/, '');
    const count = Object.hasOwn(SKIP_ARGS, bare) ? SKIP_ARGS[bare] : CITE.test(name) ? 1 : undefined;
    if (count !== undefined) {
      const args = maskArguments(scan, end, count);
      scan.maskRange(i, args.end);
      if (/^(input|include|subfile|InputIfFileExists)$/.test(name) && args.groups[0]) {
        const at = scan.where(args.groups[0].start);
        scan.files.push({ ...at, path: text.slice(args.groups[0].start, args.groups[0].end).trim() });
      }
      i = Math.max(args.end, end);
      continue;
    }
    // Any other command: its optional arguments are options, never results (\item[(a)], \\[2pt]).
    i = maskArguments(scan, end, 0).end;
  }
};

/** Where pandoc's inline math opened at `open` closes, or -1 when that `$` is a plain dollar sign. */
const pandocMathClose = (text: string, open: number, to: number): number => {
  if (isSpace(text[open + 1]) || text[open + 1] === '\n' || open + 1 >= to) return -1;
  for (let j = open + 1; j < to; j++) {
    if (text[j] === '\\') {
      j++;
      continue;
    }
    if (text[j] === '\n') return -1;
    if (text[j] === '$') return !isSpace(text[j - 1]) && !isDigit(text[j + 1]) ? j : -1;
  }
  return -1;
};

// ---------------------------------------------------------------------------------------------
// LaTeX: tables (header rows and row labels are not results)

const processTexTable = (scan: Scan, start: number, end: number): void => {
  const { text, mask } = scan;
  // Row boundaries: `\\` outside braces, skipping masked text.
  const rows: Array<{ start: number; end: number }> = [];
  let rowStart = start;
  let depth = 0;
  for (let i = start; i < end; i++) {
    if (mask[i]) continue;
    const c = text[i];
    if (c === '\\' && text[i + 1] === '\\' && depth === 0) {
      rows.push({ start: rowStart, end: i });
      i++;
      rowStart = i + 1;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
  }
  rows.push({ start: rowStart, end });
  const RULES = /\\(?:toprule|midrule|bottomrule|hline|cmidrule|addlinespace|specialrule|cline)\*?/g;
  const unmaskedText = (a: number, b: number): string => {
    let out = '';
    for (let i = a; i < b; i++) out += mask[i] ? ' ' : text[i];
    return out;
  };
  const hasContent = (row: { start: number; end: number }): boolean => /[^\s&{}]/.test(unmaskedText(row.start, row.end).replace(RULES, ''));
  // Header: the rows before the first \midrule (booktabs), or the first row when a \hline follows it directly.
  let headerEnd = start;
  const midrule = /\\midrule\b/g;
  midrule.lastIndex = start;
  for (let m = midrule.exec(text); m && m.index < end; m = midrule.exec(text)) {
    if (!mask[m.index]) {
      headerEnd = m.index;
      break;
    }
  }
  const firstContent = rows.find(hasContent);
  if (headerEnd === start && firstContent && firstContent.end < end) {
    const following = unmaskedText(firstContent.end + 2, end);
    if (/^\s*\\hline\b/.test(following)) headerEnd = firstContent.end;
  }
  scan.maskRange(start, headerEnd);
  // Row labels: the first cell of every row.
  for (const row of rows) {
    let d = 0;
    for (let i = row.start; i < row.end; i++) {
      if (mask[i]) continue;
      const c = text[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '{') d++;
      else if (c === '}') d = Math.max(0, d - 1);
      else if (c === '&' && d === 0) {
        scan.maskRange(row.start, i);
        break;
      }
    }
  }
  scan.tableRanges.push([start, end]);
};

// ---------------------------------------------------------------------------------------------
// Markdown structure

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const ATX = /^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const SETEXT = /^\s{0,3}(=+|-+)\s*$/;
const DELIMITER_ROW = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;
const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s/;

const markdownStructure = (scan: Scan): { tables: Array<{ startLine: number; endLine: number }> } => {
  const lineCount = scan.lineStarts.length;
  const tables: Array<{ startLine: number; endLine: number }> = [];
  let fence: string | undefined;
  let inComment = false;
  let inDisplayMath = false;
  let previousBlank = true;
  let previousCode = false;
  let lastNonBlankIsList = false;
  let line = 0;
  const maskLine = (l: number): void => scan.maskRange(scan.lineStart(l), scan.lineEnd(l));
  // YAML front matter
  if (scan.lineText(0).trim() === '---') {
    for (let l = 1; l < lineCount; l++) {
      if (/^(---|\.\.\.)\s*$/.test(scan.lineText(l))) {
        for (let k = 0; k <= l; k++) maskLine(k);
        line = l + 1;
        break;
      }
    }
  }
  for (; line < lineCount; line++) {
    const content = scan.lineText(line);
    const start = scan.lineStart(line);
    if (fence) {
      maskLine(line);
      if (new RegExp(`^\\s{0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(content)) fence = undefined;
      continue;
    }
    // HTML comments, possibly over several lines
    let cursor = 0;
    while (cursor <= content.length) {
      if (inComment) {
        const close = content.indexOf('-->', cursor);
        const stop = close < 0 ? content.length : close + 3;
        scan.maskRange(start + cursor, start + stop);
        scan.comments.push({ start: start + cursor, end: start + stop, text: content.slice(cursor, stop) });
        cursor = stop;
        if (close < 0) break;
        inComment = false;
        continue;
      }
      const open = content.indexOf('<!--', cursor);
      if (open < 0) break;
      inComment = true;
      cursor = open;
    }
    if (inDisplayMath) {
      maskLine(line);
      if (content.includes('$$')) inDisplayMath = false;
      continue;
    }
    const unmasked = [...content].map((ch, k) => (scan.mask[start + k] ? ' ' : ch)).join('');
    const blank = unmasked.trim() === '';
    if (FENCE.test(unmasked)) {
      fence = FENCE.exec(unmasked)![1];
      maskLine(line);
      previousBlank = false;
      continue;
    }
    if (/^\s*\$\$/.test(unmasked)) {
      const rest = unmasked.replace(/^\s*\$\$/, '');
      if (!rest.includes('$$')) inDisplayMath = true;
      maskLine(line);
      previousBlank = false;
      continue;
    }
    if (!blank && /^( {4}|\t)/.test(content) && (previousBlank || previousCode) && !lastNonBlankIsList) {
      maskLine(line);
      previousCode = true;
      previousBlank = false;
      continue;
    }
    previousCode = false;
    const atx = ATX.exec(unmasked);
    if (atx) {
      scan.headings.push({ pos: start, level: atx[1].length, title: atx[2] ?? '' });
      maskLine(line);
      previousBlank = false;
      lastNonBlankIsList = false;
      continue;
    }
    const next = line + 1 < lineCount ? scan.lineText(line + 1) : '';
    if (!blank && unmasked.includes('|') && DELIMITER_ROW.test(next) && next.includes('-')) {
      let endLine = line + 1;
      while (endLine + 1 < lineCount && scan.lineText(endLine + 1).trim() !== '' && scan.lineText(endLine + 1).includes('|')) endLine++;
      tables.push({ startLine: line, endLine });
      maskLine(line);
      maskLine(line + 1);
      line = endLine;
      previousBlank = false;
      continue;
    }
    if (!blank && SETEXT.test(unmasked) && line > 0 && !previousBlank) {
      const title = scan.lineText(line - 1);
      const level = unmasked.trim().startsWith('=') ? 1 : 2;
      scan.headings.push({ pos: scan.lineStart(line - 1), level, title });
      maskLine(line - 1);
      maskLine(line);
      previousBlank = false;
      continue;
    }
    if (!blank) lastNonBlankIsList = LIST_ITEM.test(unmasked) || (lastNonBlankIsList && /^\s+/.test(content));
    previousBlank = blank;
  }
  return { tables };
};

/** Inline Markdown on one line: code spans, links, URLs, HTML, citations, list markers, then LaTeX bits. */
const markdownInline = (scan: Scan, line: number): void => {
  const start = scan.lineStart(line);
  const end = scan.lineEnd(line);
  const { text } = scan;
  const content = text.slice(start, end);
  const maskMatches = (pattern: RegExp, group?: number): void => {
    for (const m of content.matchAll(pattern)) {
      if (m.index === undefined) continue;
      if (group === undefined) scan.maskRange(start + m.index, start + m.index + m[0].length);
      else {
        const offset = m[0].indexOf(m[group]);
        scan.maskRange(start + m.index + offset, start + m.index + offset + m[group].length);
      }
    }
  };
  // code spans: a run of backticks closed by a run of the same length
  for (let i = 0; i < content.length; i++) {
    if (content[i] !== '`' || scan.mask[start + i]) continue;
    let run = 1;
    while (content[i + run] === '`') run++;
    const ticks = '`'.repeat(run);
    let close = content.indexOf(ticks, i + run);
    while (close >= 0 && content[close + run] === '`') close = content.indexOf(ticks, close + run + 1);
    if (close < 0) {
      i += run - 1;
      continue;
    }
    scan.maskRange(start + i, start + close + run);
    i = close + run - 1;
  }
  maskMatches(/^\s{0,3}\[[^\]]+\]:\s*\S+.*$/g); // reference definitions
  maskMatches(/!\[[^\]]*\]\([^)]*\)/g); // images
  maskMatches(/\]\([^)]*\)/g); // link targets
  maskMatches(/\]\[[^\]]*\]/g); // reference-style link labels
  maskMatches(/<(?:https?|ftp|mailto):[^>\s]*>|<\/?[A-Za-z][^>]*>/g); // autolinks and HTML tags
  maskMatches(/\b(?:https?|ftp):\/\/[^\s)<>\]]+|\bwww\.[^\s)<>\]]+/g); // bare URLs
  maskMatches(/\[-?@[^\]]*\]|(?<![\w.])@[A-Za-z][\w:.#$%&+?<>~/-]*/g); // pandoc citations
  maskMatches(/\[\^[^\]]*\]/g); // footnote references and definitions
  maskMatches(/^\s*\d+[.)](?=\s|$)/g); // ordered list markers
  walkTex(scan, start, end, { percentComments: false, structure: false, dollars: 'pandoc' });
};

const processMarkdownTable = (scan: Scan, table: { startLine: number; endLine: number }): void => {
  for (let line = table.startLine + 2; line <= table.endLine; line++) {
    const start = scan.lineStart(line);
    const content = scan.lineText(line);
    // the first cell is the row label: up to the second unescaped pipe if the row starts with one
    const pipes: number[] = [];
    for (let k = 0; k < content.length; k++) {
      if (content[k] === '\\') {
        k++;
        continue;
      }
      if (content[k] === '|' && !scan.mask[start + k]) pipes.push(k);
    }
    const leading = /^\s*\|/.test(content);
    const labelEnd = leading ? pipes[1] : pipes[0];
    if (labelEnd !== undefined) scan.maskRange(start, start + labelEnd);
    scan.tableRanges.push([start, scan.lineEnd(line)]);
  }
};

// ---------------------------------------------------------------------------------------------
// Context (results sections) and waivers

const assignContext = (scan: Scan): void => {
  const headings = [...scan.headings].sort((a, b) => a.pos - b.pos);
  const stack: Array<{ level: number; results: boolean }> = [];
  const changes: Array<{ pos: number; results: boolean }> = [];
  for (const heading of headings) {
    while (stack.length > 0 && stack[stack.length - 1].level >= heading.level) stack.pop();
    const parent = stack.length > 0 ? stack[stack.length - 1].results : false;
    const results = NOT_RESULTS_HEADING.test(heading.title) ? false : RESULTS_HEADING.test(heading.title) ? true : parent;
    stack.push({ level: heading.level, results });
    changes.push({ pos: heading.pos, results });
  }
  let current = false;
  let next = 0;
  for (let i = 0; i < scan.n; i++) {
    while (next < changes.length && changes[next].pos <= i) current = changes[next++].results;
    if (current) scan.ctx[i] = CTX_PROSE;
  }
  for (const [a, b] of scan.resultsRanges) scan.ctx.fill(CTX_PROSE, a, b);
  for (const [a, b] of scan.tableRanges) scan.ctx.fill(CTX_TABLE, a, b);
};

const applyWaivers = (scan: Scan, extraBlocks: Block[]): void => {
  const blocks = [...scan.blocks, ...extraBlocks];
  const lineCount = scan.lineStarts.length;
  const maskLine = (l: number): void => scan.maskRange(scan.lineStart(l), scan.lineEnd(l));
  for (const comment of scan.comments) {
    if (!WAIVER.test(comment.text)) continue;
    const first = scan.lineOf(comment.start);
    const last = scan.lineOf(Math.max(comment.start, comment.end - 1));
    let target = first;
    // A waiver alone on its line (nothing unmasked but the comment) waives the next non-blank line.
    const before = scan.text.slice(scan.lineStart(first), comment.start);
    const after = scan.text.slice(comment.end, scan.lineEnd(last));
    if (before.trim() === '' && after.trim() === '') {
      target = last + 1;
      while (target < lineCount && scan.lineText(target).trim() === '') target++;
      if (target >= lineCount) continue;
    }
    for (let l = first; l <= last; l++) maskLine(l);
    maskLine(target);
    // …and a waiver on the line that opens an environment or a Markdown table waives all of it.
    for (const block of blocks) if (block.startLine === target) scan.maskRange(block.start, block.end);
  }
};

// ---------------------------------------------------------------------------------------------
// Numbers

const NUMBER = /[-−]?(?:\d{1,3}(?:(?:,|\{,\}|\\,|\u2009|\u202f)\d{3})+|\d+)(?:\.\d+)?|[-−]?\.\d+/g;
const REFERENCE_WORD =
  /(?:^|[^\p{L}\\])(tables?|tabs?\.|figures?|figs?\.|sections?|secs?\.|§§?|equations?|eqs?\.|eqns?\.|appendix|appendices|apps?\.|algorithms?|algs?\.|lines?|theorems?|thms?\.|lemmas?|corollary|corollaries|cor\.|propositions?|props?\.|definitions?|defs?\.|chapters?|chaps?\.|ch\.|steps?|parts?|pages?|pp?\.|footnotes?|listings?|rows?|columns?|cols?\.|versions?|v\.|ver\.|no\.|nos\.|nr\.|items?|examples?|exercises?|claims?|assumptions?|remarks?|hypothes[ie]s|rules?|questions?|rq|refs?\.|references?)$/iu;
const CHAIN = /^\)?\s*(?:,|;|and|or|&|--|–|-|to|,\s*and)\s*~?\(?$/i;
/** Decimal references (Sections 3.1 and 3.2) chain only with words or dashes: "Theorem 3.1, 0.948 …" is a result after a reference. */
const DECIMAL_CHAIN = /^\)?\s*(?:and|or|&|--|–|-|to)\s*~?\(?$/i;
const DIMENSIONS = /^\\(textwidth|linewidth|columnwidth|textheight|paperwidth|paperheight|hsize|vsize|baselineskip|parindent|parskip|fill|tabcolsep|arraystretch|unitlength|em|ex)\b/;
const PERCENT_AFTER = /^(?:\s|~|\\,|\\;|\\ |\\thinspace|\{\})*(\\%|%)/;
const TIMES_TEN = /^\s*(?:\\times|\\cdot|×|·)\s*10\s*\^/;
/** What may stand between the two numbers of `m ± s`: `\pm` or `±`, spaces, `$`, `~`, braces, an opening parenthesis. */
const PLUS_MINUS_BETWEEN = /^[\s~${}]*\(?[\s~${}]*(?:\\pm|±)[\s~${}]*$/;

const extractNumbers = (scan: Scan): ScannedNumber[] => {
  const out: ScannedNumber[] = [];
  const { text, mask, ctx } = scan;
  for (let line = 0; line < scan.lineStarts.length; line++) {
    const start = scan.lineStart(line);
    const end = scan.lineEnd(line);
    let s = '';
    let any = false;
    for (let i = start; i < end; i++) {
      const masked = mask[i] === 1;
      s += masked ? ' ' : text[i];
      if (!masked && ctx[i] !== CTX_NONE && isDigit(text[i])) any = true;
    }
    if (!any) continue;
    const original = text.slice(start, end);
    let chainEnd = -1;
    let chainInteger = true;
    /** The number pushed last on this line: a number after it and a ± is its spread. */
    let previous: { end: number; index: number } | undefined;
    for (const m of s.matchAll(NUMBER)) {
      const k = m.index!;
      let e = k + m[0].length;
      const signed = m[0][0] === '-' || m[0][0] === '−';
      const digitsStart = signed ? k + 1 : k;
      let negative = false;
      const before = signed ? s[k - 1] : s[digitsStart - 1];
      if (signed) {
        if (isLetter(before) || before === '_' || before === '/' || before === '\\') continue; // CIFAR-10, top-1
        negative = !(isDigit(before) || before === '-' || before === '–' || before === '−'); // 1-4, 0.91--0.93 are ranges
      } else if (before !== undefined) {
        if (isLetter(before)) {
          let b = digitsStart - 1;
          while (b >= 0 && /[A-Za-z@]/.test(s[b])) b--;
          if (s[b] !== '\\') continue; // glued to a word: ResNet50, seed0, F1 (but \pm0.4 is a command then a number)
        }
        if ('_^/@#.\\\''.includes(before) || isDigit(before)) continue; // x_1, 10^3, 3/4, #2, v1.2.3
        if (before === ':' && isDigit(s[digitsStart - 2])) continue; // 12:30
      }
      const after = s[e];
      if (isLetter(after) || after === '_' || after === '@' || after === '/' || after === '^') continue; // 10x, 3D, 2pt, 1e-3, layer_2, 10^{-3}
      if (after === '-' && isLetter(s[e + 1])) continue; // 3-layer
      if (after === '.' && isDigit(s[e + 1])) continue; // 1.2.3
      if (after === ':' && isDigit(s[e + 1])) continue; // 3:1
      if (after === '\\' && DIMENSIONS.test(s.slice(e))) continue; // 0.5\linewidth
      const position = start + (signed && negative ? k : digitsStart);
      const context = ctx[start + digitsStart];
      if (context === CTX_NONE) continue;

      const written = m[0].replace(/^[-−]/, '');
      const digitsOnly = written.replace(/\{,\}|\\,|[,\u2009\u202f]/g, '');
      const separators = digitsOnly !== written;
      const hasPoint = digitsOnly.includes('.');
      const decimalsWritten = hasPoint ? digitsOnly.length - digitsOnly.indexOf('.') - 1 : 0;
      let value = Number(digitsOnly) * (negative ? -1 : 1);
      let decimals = decimalsWritten;
      let integer = !hasPoint;
      let percent = false;
      const rest = s.slice(e);
      const percentMatch = PERCENT_AFTER.exec(rest);
      if (percentMatch && (percentMatch[1] === '\\%' || scan.kind === 'md')) {
        percent = true;
        e += percentMatch[0].length;
      } else {
        const times = TIMES_TEN.exec(rest);
        if (times) {
          const caret = start + e + times[0].length - 1;
          const exponent = scan.exponents.get(caret) ?? exponentInText(original.slice(e + times[0].length));
          if (exponent !== undefined) {
            value *= 10 ** exponent;
            decimals -= exponent;
            integer = false;
            const expText = /^\s*(\{[^}]*\}|[-−]?\d+)/.exec(original.slice(e + times[0].length));
            e += times[0].length + (expText ? expText[0].length : 0);
          }
        }
      }

      // References: Table 2, Fig.~3, Sec. 4.1, Eqs. (3) and (4), §2.
      const prefix = s.slice(0, signed && negative ? k : digitsStart).replace(/(?:\s|~|\(|\\,|\\ )+$/, '');
      // …and lists of them (Tables 2 and 3, Sections 3.1--3.3): same shape as the first, never a percentage.
      if (chainEnd >= 0 && !percent && integer === chainInteger && (integer ? CHAIN : DECIMAL_CHAIN).test(s.slice(chainEnd, digitsStart).trim())) {
        chainEnd = e;
        continue;
      }
      if (!percent && (REFERENCE_WORD.test(prefix) || /\\S$/.test(prefix))) {
        chainEnd = e;
        chainInteger = integer;
        continue;
      }
      chainEnd = -1;
      const spreadOf = previous && PLUS_MINUS_BETWEEN.test(original.slice(previous.end, position - start)) ? previous.index : undefined;
      if (integer && !percent) {
        // equation numbers and enumerations in parentheses: (3)
        if (s[digitsStart - 1] === '(' && s[e] === ')') continue;
        // years as standalone integers
        if (!separators && !negative && /^\d{4}$/.test(digitsOnly) && value >= 1900 && value <= 2099) continue;
        // bare integers in prose are counts (5 seeds, 3 layers); only tables check them (and the spread of 12.0 ± 3)
        if (context === CTX_PROSE && spreadOf === undefined) continue;
      }
      // bracketed lists of integers are citations: [12], [3, 5], [1-4]
      if (inCitationBrackets(s, digitsStart, e)) continue;
      const where = scan.where(position);
      out.push({
        ...where,
        text: original.slice(position - start, e),
        value,
        decimals,
        percent,
        integer,
        context: context === CTX_TABLE ? 'table' : 'prose',
        ...(spreadOf === undefined ? {} : { spreadOf }),
      });
      previous = { end: e, index: out.length - 1 };
    }
  }
  return out;
};

const exponentInText = (text: string): number | undefined => {
  const m = /^\s*\{?\s*([-−+]?\d+)\s*\}?/.exec(text);
  return m ? Number(m[1].replace('−', '-')) : undefined;
};

const inCitationBrackets = (s: string, from: number, to: number): boolean => {
  let open = from - 1;
  while (open >= 0 && s[open] !== '[' && s[open] !== ']') open--;
  if (open < 0 || s[open] !== '[') return false;
  let close = to;
  while (close < s.length && s[close] !== ']' && s[close] !== '[') close++;
  if (s[close] !== ']') return false;
  return /^[\d\s,;–-]+$/.test(s.slice(open + 1, close));
};

// ---------------------------------------------------------------------------------------------
// Citations of runs

const TAG_CHARS = String.raw`(?:[A-Za-z0-9._-]|\\_)`;
const KEY_CHARS = String.raw`(?:[A-Za-z0-9_-]|\\_)`;
const POINTER = new RegExp(String.raw`artifacts/runs/([A-Za-z0-9]${TAG_CHARS}{0,160}?)/analysis\.json:results\.([A-Za-z_]${KEY_CHARS}{0,160}(?:\.${KEY_CHARS}{1,160}){0,8})`, 'g');
const MENTION = new RegExp(String.raw`artifacts/runs/([A-Za-z0-9]${TAG_CHARS}{0,160})`, 'g');
const MACRO = /\\dlresult(unit|pm)?\s*\{([^{}\n]*)\}\s*\{([^{}\n]*)\}/g;
const FILE_PATH = /(?<![\w/.-])((?:\.{0,2}\/)?(?:[\w-]{1,100}\/){0,16}[\w-]{1,100}(?:\.[\w-]{1,50}){0,4}\.(?:tex|md))(?![\w/])/g;

const unescapeName = (name: string): string => name.replace(/\\_/g, '_');

const scanCitations = (scan: Scan): Pick<DraftScan, 'citations' | 'mentions'> => {
  const citations: ScannedCitation[] = [];
  const mentions: ScannedMention[] = [];
  const { text } = scan;
  for (const m of text.matchAll(MACRO)) {
    if (scan.inComment(m.index!)) continue; // a commented-out macro is dead code
    if (/^\s*<[^<>]*>\s*$/.test(m[2])) continue; // \dlresult{<TAG>}{<key>}: a placeholder in documentation
    citations.push({ ...scan.where(m.index!), text: m[0], tag: m[2].trim(), key: m[3].trim(), form: m[1] === 'pm' ? 'macro-pm' : 'macro' });
  }
  const pointerAt = new Set<number>();
  for (const m of text.matchAll(POINTER)) {
    pointerAt.add(m.index!);
    citations.push({ ...scan.where(m.index!), text: m[0], tag: unescapeName(m[1]), key: unescapeName(m[2]), form: 'pointer' });
  }
  for (const m of text.matchAll(MENTION)) {
    if (pointerAt.has(m.index!)) continue;
    const tag = unescapeName(m[1]).replace(/\.+$/, '');
    if (!tag) continue;
    mentions.push({ ...scan.where(m.index!), text: `artifacts/runs/${tag}`, tag });
  }
  citations.sort((a, b) => a.line - b.line || a.column - b.column);
  return { citations, mentions };
};

// ---------------------------------------------------------------------------------------------

export const scanDraft = (text: string, kind: DraftKind): DraftScan => {
  const normalized = text.replace(/\r\n?/g, '\n');
  const scan = new Scan(normalized, kind);
  const extraBlocks: Block[] = [];
  if (kind === 'tex') {
    walkTex(scan, 0, scan.n, { percentComments: true, structure: true, dollars: 'tex' });
    for (const [a, b] of scan.tableRanges.splice(0)) processTexTable(scan, a, b);
  } else {
    const { tables } = markdownStructure(scan);
    for (let line = 0; line < scan.lineStarts.length; line++) markdownInline(scan, line);
    for (const table of tables) {
      processMarkdownTable(scan, table);
      extraBlocks.push({ startLine: table.startLine, endLine: table.endLine, start: scan.lineStart(table.startLine), end: scan.lineEnd(table.endLine) });
    }
  }
  assignContext(scan);
  applyWaivers(scan, extraBlocks);
  const files = [...scan.files];
  for (const m of normalized.matchAll(FILE_PATH)) {
    if (kind === 'tex' && scan.inComment(m.index!)) continue;
    files.push({ ...scan.where(m.index!), path: m[1] });
  }
  return { numbers: extractNumbers(scan), ...scanCitations(scan), files };
};
