import type { ParsedRunDocuments, RunVerification } from './verify-run.js';
import { verifyWithDocuments, type RunVerifier } from './verify-with-documents.js';

/** A run's verification as a command shares it, and whether a loop of parent links (or members) was met within it. */
export interface SharedVerification { verification: RunVerification; loopMet: boolean }

/** Told of every run a SharedVerifications verifies, with its documents when they satisfy the contract. */
export type OnRunVerified = (runDirAbs: string, verification: RunVerification, documents: ParsedRunDocuments | undefined) => void;

/**
 * The run verifications of one command (verify of a project, the report), each run verified once.
 *
 * Why: a run resumed from another (`--parent`) passes only if its parent does, so verifying it
 * verifies its whole chain of ancestors. Verified one by one, the runs of a chain of N resumptions
 * cost N(N+1)/2 run verifications, every checkpoint hashed again each time (16 resumptions with
 * 32 MB checkpoints: 5.0 s where verifying the last one took 0.8 s). Here a parent's verification is
 * the one done, or under way, for the run itself.
 *
 * A verification shared is the run's own, the same as verifying it alone: it is started with no run
 * below it. That is also what any run below would get, unless the chain loops back to that run
 * (possible only in forged manifests), and then the shared verification met the loop too: such a
 * result (`loopMet`) is not used by others, who verify the run again with their own context, as
 * verifyRun alone does. Waiting for a verification under way is refused when it would close a
 * cycle of waits (a forged loop again): the waiter then verifies on its own.
 */
export class SharedVerifications {
  /**
   * Every verification started, by run folder (absolute), holding no documents: under way, its
   * promise; done, its result, or for a run that passed only its `runDir` (a report over 10,000
   * runs keeps one entry per run; the verification is `{ runDir, ok: true, problems: [] }`).
   */
  private readonly results = new Map<string, Promise<SharedVerification> | SharedVerification | string>();
  /** Which runs' verifications wait for which, with a count per pair (two verifications of one run may wait at once). */
  private readonly waits = new Map<string, Map<string, number>>();
  /** How many run verifications were done (parents and members included). */
  verifications = 0;

  constructor(
    /** verifyRun itself (passed in: verify-run.ts uses this class, and importing it here would make a cycle). */
    private readonly verifyRun: RunVerifier,
    private readonly onVerified: OnRunVerified = () => {},
  ) {}

  /**
   * The verification of the run at `runDirAbs`: the one started before, else a new one. `waiter` is
   * the run whose verification needs it; undefined is returned instead of a wait that would close a
   * cycle of waits.
   */
  async verify(root: string, runDirAbs: string, waiter?: string): Promise<SharedVerification | undefined> {
    const result = this.results.get(runDirAbs);
    if (typeof result === 'string') return { verification: { runDir: result, ok: true, problems: [] }, loopMet: false };
    if (result !== undefined && !(result instanceof Promise)) return result;
    if (waiter !== undefined && this.reaches(runDirAbs, waiter)) return undefined;
    return this.waitFor(waiter, runDirAbs, result ?? this.start(root, runDirAbs).shared);
  }

  /** The run's verification, the same as verifyRun of it alone gives: the one started before, else a new one. */
  async verifyAlone(root: string, runDirAbs: string): Promise<RunVerification> {
    const { verification } = (await this.verify(root, runDirAbs))!; // only a waiter is ever refused
    return verification;
  }

  /**
   * A new verification of the run at `runDirAbs` with its documents (what a record's member check
   * needs, which the shared results do not hold), shared with later askers if none was started.
   * Undefined, as from verify, where waiting for it would close a cycle of waits.
   */
  async verifyWithDocuments(root: string, runDirAbs: string, waiter: string): Promise<(SharedVerification & { documents: ParsedRunDocuments | undefined }) | undefined> {
    if (this.reaches(runDirAbs, waiter)) return undefined;
    const { shared, withDocuments } = this.start(root, runDirAbs);
    await this.waitFor(waiter, runDirAbs, shared);
    return withDocuments;
  }

  private start(root: string, runDirAbs: string): { shared: Promise<SharedVerification>; withDocuments: Promise<SharedVerification & { documents: ParsedRunDocuments | undefined }> } {
    this.verifications++;
    const withDocuments = (async () => {
      let loopMet = false;
      const onLoop = (): void => {
        loopMet = true;
      };
      const { verification, documents } = await verifyWithDocuments(this.verifyRun, root, runDirAbs, { shared: this, onLoop });
      this.onVerified(runDirAbs, verification, documents);
      return { verification, loopMet, documents };
    })();
    // What is kept for others holds no documents (a per-step history makes them hundreds of MB).
    const shared = withDocuments.then(({ verification, loopMet }) => {
      if (this.results.get(runDirAbs) === shared) this.results.set(runDirAbs, verification.ok && !loopMet ? verification.runDir : { verification, loopMet });
      return { verification, loopMet };
    });
    if (!this.results.has(runDirAbs)) this.results.set(runDirAbs, shared);
    return { shared, withDocuments };
  }

  private async waitFor<T>(waiter: string | undefined, runDirAbs: string, result: Promise<T>): Promise<T> {
    if (waiter === undefined) return result;
    const edges = this.waits.get(waiter) ?? new Map<string, number>();
    this.waits.set(waiter, edges.set(runDirAbs, (edges.get(runDirAbs) ?? 0) + 1));
    try {
      return await result;
    } finally {
      const count = edges.get(runDirAbs)! - 1;
      if (count > 0) edges.set(runDirAbs, count);
      else edges.delete(runDirAbs);
      if (edges.size === 0) this.waits.delete(waiter);
    }
  }

  /** Whether the verification of `from` waits, through any chain of waits, for that of `to` (or is it). */
  private reaches(from: string, to: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const at = stack.pop()!;
      if (at === to) return true;
      if (seen.has(at)) continue;
      seen.add(at);
      for (const next of this.waits.get(at)?.keys() ?? []) stack.push(next);
    }
    return false;
  }
}
