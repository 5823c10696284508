import type { Violation } from './validate.js';

/**
 * The contract's cross-field rule that JSON Schema cannot state: every metric or result key a
 * file uses must be defined in `metric_definitions` (so every quoted number has a meaning, a unit
 * and a direction). Returns one violation per undefined key.
 */
export const undefinedKeyViolations = (
  definitions: Readonly<Record<string, unknown>>,
  uses: ReadonlyArray<{ file: string; pointer: string; keys: Iterable<string> | string | null | undefined }>,
): Violation[] => {
  const violations: Violation[] = [];
  for (const { file, pointer, keys } of uses) {
    if (keys === null || keys === undefined) continue;
    const list = typeof keys === 'string' ? [keys] : [...keys];
    for (const key of list) {
      if (!Object.hasOwn(definitions, key)) {
        const at = typeof keys === 'string' ? pointer : `${pointer}/${escapePointer(key)}`;
        violations.push({ file, pointer: at, message: `'${key}' has no entry in metric_definitions (definition, unit, higher_is_better)` });
      }
    }
  }
  return violations;
};

/** RFC 6901 escaping of one JSON-pointer segment. */
export const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
