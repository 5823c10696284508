/**
 * Tests that need a part of the machine (Chromium, pdfinfo, Debian's PyTorch, SciPy, a Slurm
 * cluster, a non-root user) skip with a message where it is missing — on a developer's machine.
 * In CI (`CI=true`, set by `.ci/run`'s caller) every part is installed by `.ci/run`, so a missing
 * one fails the test instead of hiding it behind a skip.
 */
export const requirePart = (context: Mocha.Context, available: boolean, message: string): void => {
  if (available) return;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${message}: .ci/run must install it`);
  console.log(`      skipped: ${message}`);
  context.skip();
};
