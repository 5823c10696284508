/**
 * `dl-lab runs | head`: once the reader of stdout or stderr has gone, every write to it fails with
 * EPIPE, which Node raises as an unhandled 'error' event (a stack trace, exit 1). With this, the
 * command goes on instead and only the output nobody reads is dropped: a run being sealed is never
 * cut short, and the exit status stays the work's (verify still exits 1 on a failed run).
 * Installed once per stream, by the dl-lab launcher and by every generator (under yo too).
 */
const guarded = new WeakSet<NodeJS.WriteStream>();

export const dropOutputOnceItsReaderIsGone = (...streams: NodeJS.WriteStream[]): void => {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      stream.write = (() => true) as typeof stream.write;
    });
  }
};
