import assert from 'node:assert/strict';
import { draftKindOf, scanDraft, type DraftKind } from '../../core/paper/draft-scan.js';
import { fillDraft, readFixture, SYNTHETIC_RUNS } from '../helpers/paper.js';

/** The numbers check-paper would check in `body`, as written. */
const numbers = (kind: DraftKind, body: string): string[] => scanDraft(body, kind).numbers.map((n) => n.text);
/** …inside a results section. */
const tex = (body: string): string[] => numbers('tex', `\\section{Results}\n${body}\n`);
const md = (body: string): string[] => numbers('md', `## Results\n\n${body}\n`);

describe('paper: scanning drafts for numbers in results contexts', () => {
  it('finds exactly the results of a realistic LaTeX paper, and nothing of its years, citations, equations, sections, tables and hyperparameters', () => {
    const scan = scanDraft(fillDraft(readFixture('realistic.tex'), SYNTHETIC_RUNS), 'tex');
    assert.deepEqual(
      scan.numbers.map((n) => `${n.line}:${n.text}${n.context === 'table' ? ' (table)' : ''}`),
      [
        '22:0.948', '23:95.6\\%', // abstract
        '60:94.8\\%', '60:0.144', '61:0.972', '62:0.964', // Main results, prose
        '65:0.948', '65:0.968', '66:0.122', // \item lines
        '78:94.8 (table)', '78:0.972 (table)', '78:0.144 (table)',
        '79:95.6 (table)', '79:0.964 (table)', '79:0.122 (table)',
        '80:35 (table)', '80:38 (table)', // integers in tables are checked
      ],
    );
    assert.deepEqual(scan.citations.map((c) => `${c.line}:${c.form}:${c.tag}/${c.key}`), [
      '23:macro:demo-seed0/test_accuracy',
      '23:pointer:demo-seed1/test_accuracy',
      '59:macro:demo-seed0/best_epoch',
      '59:macro:demo-seed0/test_accuracy',
      '61:pointer:demo-seed0/val_accuracy_best',
    ]);
    assert.deepEqual(scan.mentions.map((m) => `${m.line}:${m.tag}`), ['87:demo-seed0']);
    assert.deepEqual(scan.files.map((f) => f.path), ['paper/dl-lab-results']);
    const percent = scan.numbers.find((n) => n.text === '95.6\\%')!;
    assert.deepEqual([percent.value, percent.decimals, percent.percent, percent.column], [95.6, 1, true, 54]);
  });

  it('finds exactly the results of a realistic Markdown draft', () => {
    const scan = scanDraft(fillDraft(readFixture('realistic.md'), SYNTHETIC_RUNS), 'md');
    assert.deepEqual(
      scan.numbers.map((n) => `${n.line}:${n.text}${n.context === 'table' ? ' (table)' : ''}`),
      ['30:0.948', '31:94.8%', '31:95.6%', '35:0.972', '35:0.144', '36:0.964', '40:94.8 (table)', '40:0.972 (table)', '40:35 (table)', '41:95.6 (table)', '41:0.964 (table)', '41:38 (table)'],
    );
    assert.deepEqual(scan.citations.map((c) => `${c.line}:${c.form}:${c.tag}/${c.key}`), ['29:macro:demo-seed0/best_epoch', '30:pointer:demo-seed0/test_accuracy']);
    assert.deepEqual(scan.mentions.map((m) => `${m.line}:${m.tag}`), ['31:demo-seed1', '43:demo-seed0']);
  });

  it('knows its file kinds', () => {
    assert.equal(draftKindOf('paper/main.tex'), 'tex');
    assert.equal(draftKindOf('Draft_Derivation.md'), 'md');
    assert.equal(draftKindOf('notes.txt'), undefined);
  });

  describe('results contexts', () => {
    it('checks results, experiments, evaluation, ablation and abstract sections, and their subsections', () => {
      for (const title of ['Results', 'Experiments', 'Evaluation', 'Ablation study', 'Experimental results']) {
        assert.deepEqual(numbers('tex', `\\section{${title}}\nAccuracy 0.948.\n`), ['0.948'], title);
        assert.deepEqual(numbers('md', `# ${title}\n\nAccuracy 0.948.\n`), ['0.948'], title);
      }
      assert.deepEqual(numbers('tex', '\\section{Experiments}\n\\subsection{On moons}\n0.948\n'), ['0.948'], 'inherited');
      assert.deepEqual(numbers('tex', '\\begin{abstract}\nWe reach 0.948.\n\\end{abstract}\n'), ['0.948']);
      assert.deepEqual(numbers('md', '## Abstract\n\nWe reach 0.948.\n'), ['0.948']);
    });

    it('does not check other sections, setup/protocol subsections, or text before any heading', () => {
      assert.deepEqual(numbers('tex', 'Preface 0.5.\n\\section{Introduction}\nPrior work reached 0.948.\n\\section{Method}\n$\\lambda=0.1$\n'), []);
      assert.deepEqual(numbers('tex', '\\section{Experiments}\n\\subsection{Experimental setup}\nlr 0.5, dropout 0.1\n\\subsection{Results}\n0.948\n'), ['0.948']);
      assert.deepEqual(numbers('md', '## 3. Evaluation protocol\n\nWe hold out 0.2 of the data.\n\n## 4. Results\n\n0.948\n\n## 5. Discussion\n\n0.3\n'), ['0.948']);
      assert.deepEqual(numbers('md', '# Results\n\n### Implementation details\n\nAdam with 0.9 momentum.\n'), []);
    });

    it('checks table cells anywhere, except header rows and the first column (row labels)', () => {
      const table = '\\begin{tabular}{lcc}\n\\toprule\nModel & Acc & Epochs 2 \\\\\n\\midrule\nMLP-16 (0.5) & 0.948 & 35 \\\\\nLinear & 0.81 & 12 \\\\\n\\bottomrule\n\\end{tabular}\n';
      assert.deepEqual(numbers('tex', `\\section{Introduction}\n${table}`), ['0.948', '35', '0.81', '12']);
      assert.deepEqual(numbers('tex', '\\begin{tabular}{lc}\n\\hline\nRun & Acc \\\\\n\\hline\nA & 0.948 \\\\\nB & 0.81 \\\\\n\\hline\n\\end{tabular}\n'), ['0.948', '0.81']);
      assert.deepEqual(numbers('tex', '\\begin{tabular}{lc}\nA & 0.948 \\\\ B & 0.81 \\\\\n\\end{tabular}\n'), ['0.948', '0.81'], 'no header without a rule');
      assert.deepEqual(numbers('tex', '\\begin{tabular}{lr}\n\\multicolumn{2}{c}{Mean} & 0.9 \\\\\n\\cline{2-3} x & 50{,}000 \\\\[2pt]\n\\end{tabular}\n'), ['0.9', '50{,}000']);
      assert.deepEqual(numbers('md', 'Intro text 0.5.\n\n| Model (2 layers) | Acc (%) | Epoch |\n|---|--:|--:|\n| MLP 16 | 94.8 | 35 |\n| **Linear 2** | 81.0 | 12 |\n'), ['94.8', '35', '81.0', '12']);
    });

    it('checks integers only in tables: in prose they are counts (5 seeds, 3 layers), unless written as percentages', () => {
      assert.deepEqual(tex('We ran 5 seeds of 3 layers for 40 epochs and reach 95\\% (0.948).'), ['95\\%', '0.948']);
    });
  });

  describe('what is never a result', () => {
    const cases: Array<[string, string]> = [
      ['years and citations', 'In 2016 \\cite{he2016,smith2020} and (Smith et al., 2019a) [12] [3, 5] [1--4] \\citep[p.~7]{x}, 0.948.'],
      ['references to parts of the paper', 'Table 2, Table~\\ref{t}, Sections 3.1 and 3.2, Fig.~3, Figs. 2 and 3, Figures 3--4, Sec. 4.1, Section 3.2, §2, \\S 3, Eq. (1), Eqs. (1) and (2), Appendix 2, Algorithm 1, Line 12, Theorem 3.1, 0.948.'],
      ['equation numbers', 'as in (3) and (12), 0.948.'],
      ['identifiers, units and versions', 'CIFAR-10, ResNet50, ResNet-50, GPT-2, top-1, 3-layer, 2pt, 1e-3, v1.2.3, fp16, 32x32, 1.2M, 2D, seed0, 12:30, 3/4, #2, 0.948.'],
      ['URLs, paths and files', '\\url{https://x.org/v0.5} \\href{https://x.org/a-0.5}{here} \\includegraphics[width=0.8\\linewidth]{fig/run_0.5.pdf} \\input{sec/4.2} 0.948.'],
      ['labels and references', '\\label{sec:0.5} \\ref{tab:0.5} \\eqref{eq:2} \\cref{fig:0.5} 0.948.'],
      ['layout: lengths, colors, spacing, optional arguments', '\\vspace{-0.5em}\\hspace{2mm}\\textcolor[rgb]{0.1,0.2,0.3}{0.948} \\rule{0.4pt}{2ex} \\item[0.5] \\\\[0.5ex] \\resizebox{0.9\\textwidth}{!}{x}'],
      ['comments and waivers', '0.948 % 0.5 is the dropout\n0.77 % dl-lab: not-a-result\n% dl-lab: not-a-result\n0.66 on the next line\n'],
      ['display math and derivations', '\\begin{equation}\nL = 0.5 x^2 + 0.25\n\\label{eq:1}\n\\end{equation}\n\\[ y = 0.3 \\]\n$$ z = 0.4 $$\n\\begin{align*} a &= 0.7 \\end{align*} 0.948'],
      ['inline math: sub/superscripts and powers', '$x^{0.5}$, $W_{0.5}$, $10^{-3}$, $x_2$, $2^{10}$, $0.948$'],
      ['macros and definitions', '\\newcommand{\\lr}{0.5}\\renewcommand{\\arraystretch}{1.2}\\setlength{\\tabcolsep}{4pt}\\setcounter{section}{3} \\dlresult{demo-seed0}{test_accuracy} 0.948'],
      ['verbatim and code', '\\verb|lr=0.5| \\begin{verbatim}\n0.5\n\\end{verbatim}\n\\begin{lstlisting}\nx = 0.5\n\\end{lstlisting}\n0.948'],
    ];
    for (const [what, body] of cases) {
      it(`LaTeX: ${what}`, () => assert.deepEqual(tex(body), ['0.948']));
    }
    it('LaTeX: a waiver on (or just above) \\begin{…} exempts the whole environment', () => {
      assert.deepEqual(tex('\\begin{tabular}{lc} % dl-lab: not-a-result\nlr & 0.5 \\\\\n\\end{tabular}\n0.948'), ['0.948']);
      assert.deepEqual(tex('% dl-lab: not-a-result\n\\begin{table}\n\\begin{tabular}{lc}\nlr & 0.5 \\\\\n\\end{tabular}\n\\end{table}\n0.948'), ['0.948']);
    });
    it('LaTeX: the preamble and anything after \\end{document} are not the paper', () => {
      assert.deepEqual(numbers('tex', '\\documentclass{article}\n\\section{Results} 0.5\n\\begin{document}\n\\section{Results}\n0.948\n\\end{document}\n\\section{Results} 0.7\n'), ['0.948']);
    });

    const mdCases: Array<[string, string]> = [
      ['code spans, fenced and indented code', '`lr = 0.5` and ``0.6``\n\n```bash\nnpx dl-lab demo --lr 0.5\n```\n\n    indented 0.7\n\n0.948'],
      ['links, images, URLs, HTML', '[v0.5 notes](https://x.org/0.5) ![fig 0.5](a/0.5.png) <https://x.org/0.5> https://x.org/v0.5 <span data-x="0.5">0.948</span>'],
      ['citations and footnotes', '[@smith2020, p. 33] @he2016 [^1] [12] 0.948\n\n[^1]: a note'],
      ['list markers and headings', '1. first\n2) second\n\n### 4.2 Sub 0.5\n\n0.948'],
      ['HTML comments and waivers', '<!-- 0.5 is the dropout -->\n0.77 <!-- dl-lab: not-a-result -->\n<!-- dl-lab: not-a-result -->\n0.66\n\n0.948'],
      ['a waiver above a table exempts the whole table', '<!-- dl-lab: not-a-result -->\n| param | value |\n| --- | --- |\n| lr | 0.5 |\n| dropout | 0.1 |\n\n0.948'],
      ['math', '$x^{0.5}$ and $$ y = 0.3 $$ and\n$$\nz = 0.4\n$$\n$0.948$'],
      ['dollar amounts are not math', 'costs $5 and $10 for 0.948'],
      ['an escaped bracket does not hide later lines', 'see \\[1] and \\verb|x\n\n0.948'],
    ];
    for (const [what, body] of mdCases) {
      it(`Markdown: ${what}`, () => assert.deepEqual(md(body).filter((n) => n !== '$5' && n !== '$10'), ['0.948']));
    }
    it('Markdown: YAML front matter is not the draft', () => {
      assert.deepEqual(numbers('md', '---\ntitle: x\nversion: 0.5\n---\n\n# Results\n\n0.948\n'), ['0.948']);
    });
  });

  describe('reading numbers', () => {
    const one = (kind: DraftKind, body: string) => {
      const found = scanDraft(kind === 'tex' ? `\\section{Results}\n${body}\n` : `# Results\n\n${body}\n`, kind).numbers;
      assert.equal(found.length, 1, JSON.stringify(found));
      return found[0];
    };
    it('reads signs, ranges, thousands separators, percentages and powers of ten', () => {
      assert.deepEqual(tex('a drop of -0.5 and $-0.25$ and −0.125'), ['-0.5', '-0.25', '−0.125']);
      assert.equal(one('tex', 'a drop of -0.5').value, -0.5);
      assert.deepEqual(tex('between 0.91--0.93 and 0.1-0.2'), ['0.91', '0.93', '0.1', '0.2']);
      assert.equal(scanDraft('\\section{Results}\nbetween 0.91--0.93\n', 'tex').numbers[1].value, 0.93, 'an en-dash is not a minus');
      assert.deepEqual(one('tex', 'on 1,234.5 images'), { line: 2, column: 4, text: '1,234.5', value: 1234.5, decimals: 1, percent: false, integer: false, context: 'prose' });
      assert.equal(one('tex', '91.3\\,\\%').percent, true);
      assert.equal(one('tex', '91.3~\\%').text, '91.3~\\%');
      assert.equal(one('md', '91.3 %').percent, true);
      assert.equal(one('tex', '91.3% a TeX comment').percent, false, 'in LaTeX % starts a comment');
      const scientific = one('tex', '$1.2 \\times 10^{-3}$');
      assert.deepEqual([scientific.text, scientific.value, scientific.decimals], ['1.2 \\times 10^{-3}', 0.0012, 4]);
      assert.equal(one('tex', '$3.5\\cdot10^{2}$').value, 350);
      assert.equal(one('tex', '\\textbf{0.948}').text, '0.948');
      assert.deepEqual(tex('$0.948\\pm0.004$'), ['0.948', '0.004']);
    });
    it('reports 1-based line and column of the first character', () => {
      const n = one('tex', 'The accuracy is 0.948.');
      assert.deepEqual([n.line, n.column], [2, 17]);
      const m = scanDraft('# Results\r\n\r\nx -0.5\r\n', 'md').numbers[0];
      assert.deepEqual([m.line, m.column, m.text], [3, 3, '-0.5'], 'CRLF files too');
    });
  });

  describe('citations', () => {
    it('finds \\dlresult macros (not commented out), result pointers (anywhere) and run mentions', () => {
      const scan = scanDraft(
        [
          '\\dlresult{demo-seed0}{test_accuracy} \\dlresultunit { demo-seed0 }{ test_loss }',
          '% \\dlresult{old-run}{test_accuracy} commented out, but artifacts/runs/M1.b/analysis.json:results.val_acc.top1 counts',
          '\\texttt{artifacts/runs/demo\\_seed0/analysis.json:results.test\\_accuracy}.',
          'See artifacts/runs/demo-seed1/figures/training_curves.pdf and artifacts/runs/M2. Not artifacts/runs/<TAG>/ nor \\dlresult{<TAG>}{<key>}.',
        ].join('\n'),
        'tex',
      );
      assert.deepEqual(scan.citations.map((c) => `${c.line}:${c.column}:${c.form}:${c.tag}/${c.key}`), [
        '1:1:macro:demo-seed0/test_accuracy',
        '1:38:macro:demo-seed0/test_loss',
        '2:56:pointer:M1.b/val_acc.top1',
        '3:9:pointer:demo_seed0/test_accuracy',
      ]);
      assert.deepEqual(scan.mentions.map((m) => m.tag), ['demo-seed1', 'M2']);
    });
    it('in Markdown, in code too (a broken example is a broken citation)', () => {
      const scan = scanDraft('```latex\n\\dlresult{demo-seed0}{test_accuracy}\n```\n`artifacts/runs/demo-seed0/analysis.json:results.test_loss`\n', 'md');
      assert.deepEqual(scan.citations.map((c) => `${c.form}:${c.key}`), ['macro:test_accuracy', 'pointer:test_loss']);
    });
  });
});
