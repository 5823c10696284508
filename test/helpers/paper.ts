import { readFileSync } from 'node:fs';
import { formatResultValue, roundToDecimals } from '../../core/paper/format-value.js';
import { numberMatches } from '../../core/paper/check-paper.js';
import type { CitableRun } from '../../core/paper/runs.js';

export const PAPER_FIXTURES = new URL('../fixtures/paper/', import.meta.url);

/** What a fixture needs of a run: its results and their definitions. */
export type FixtureRun = Pick<CitableRun, 'tag' | 'results' | 'definitions'>;

/** The formatted value with its last digit changed (a typo a reviewer would not see) so that it matches no result of `runs`. */
const typo = (text: string, runs: readonly FixtureRun[]): string => {
  const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  for (let step = 1; step < 10; step++) {
    const changed = text.replace(/(\d)(?!.*\d)/, (d) => String((Number(d) + step) % 10));
    const written = { value: Number(changed), decimals, percent: false };
    const collides = runs.some((run) => Object.entries(run.results).some(([key, r]) => numberMatches(written, r, run.definitions[key]?.unit ?? '')));
    if (!collides) return changed;
  }
  throw new Error(`no typo of ${text} avoids every result`);
};

/**
 * A fixture draft with its `{{TAG/key}}` placeholders filled from `runs` (see
 * test/fixtures/paper/README.md): the value as `dl-lab paper` formats it, `|pct` 100·value with
 * one decimal, `|typo` the formatted value with its last digit changed.
 */
export const fillDraft = (text: string, runs: readonly FixtureRun[]): string =>
  text.replace(/\{\{([^/{}]+)\/([^|{}]+)(?:\|(pct|typo))?\}\}/g, (_, tag: string, key: string, mode?: string) => {
    const run = runs.find((r) => r.tag === tag);
    if (!run || !(key in run.results)) throw new Error(`fixture placeholder {{${tag}/${key}}}: no such result`);
    const value = run.results[key];
    if (mode === 'pct') return roundToDecimals(value * 100, 1);
    const formatted = formatResultValue(value, run.definitions[key]).text;
    return mode === 'typo' ? typo(formatted, runs) : formatted;
  });

export const readFixture = (name: string): string => readFileSync(new URL(name, PAPER_FIXTURES), 'utf8');

const fraction = (definition: string, digits = 3) => ({ definition, unit: 'fraction', higher_is_better: true, display_digits: digits });
const nats = (definition: string) => ({ definition, unit: 'nats', higher_is_better: false, display_digits: 3 });
const epoch = { definition: 'Epoch of the selected checkpoint', unit: 'epoch', higher_is_better: false, display_digits: 0 };

/** Two runs shaped like the demo's (same keys and definitions), with fixed numbers, for unit tests. */
/** The demo's result keys, as both synthetic runs define them. */
const DEMO_DEFINITIONS: CitableRun['definitions'] = {
  test_accuracy: fraction('Test accuracy'),
  test_loss: nats('Test loss'),
  val_accuracy_best: fraction('Validation accuracy'),
  val_loss_best: nats('Validation loss'),
  train_accuracy_best: fraction('Train accuracy'),
  train_loss_best: nats('Train loss'),
  best_epoch: epoch,
};

export const SYNTHETIC_RUNS: CitableRun[] = [
  {
    tag: 'demo-seed0',
    runDir: 'artifacts/runs/demo-seed0',
    seal: 'a'.repeat(64),
    demo: true,
    primaryMetric: 'test_accuracy',
    results: { test_accuracy: 0.948, test_loss: 0.14406725167658727, val_accuracy_best: 0.972, val_loss_best: 0.08627816100575046, train_accuracy_best: 0.968, train_loss_best: 0.09033512179710056, best_epoch: 35 },
    definitions: DEMO_DEFINITIONS,
  },
  {
    tag: 'demo-seed1',
    runDir: 'artifacts/runs/demo-seed1',
    seal: 'b'.repeat(64),
    demo: true,
    primaryMetric: 'test_accuracy',
    results: { test_accuracy: 0.956, test_loss: 0.1216, val_accuracy_best: 0.964, val_loss_best: 0.1013, train_accuracy_best: 0.9705, train_loss_best: 0.0876, best_epoch: 38 },
    definitions: DEMO_DEFINITIONS,
  },
];
