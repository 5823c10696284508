/**
 * A lane for async tasks: the returned function runs the tasks given to it one at a time, in the
 * order they were given, whichever callers they come from. A task's failure is its caller's alone:
 * the next task still runs.
 */
export const oneAtATime = (): (<T>(task: () => Promise<T>) => Promise<T>) => {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const result = last.then(task);
    last = result.catch(() => undefined);
    return result;
  };
};
