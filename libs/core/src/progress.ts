import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the number of completed units and an optional status text. */
  update(done: number, status?: string): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; on a non-TTY (CI logs, pipes) a plain line at
 * most every `intervalMs` and at the end, so logs show that work goes on.
 */
export function createProgress(label: string, total: number, intervalMs = 10_000): Progress {
  const stream = process.stderr;
  if (stream.isTTY && !process.env.CI) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {status} | {duration_formatted} elapsed, eta {eta_formatted}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { status: '' });
    return {
      update: (done, status = '') => bar.update(done, { status }),
      stop: () => bar.stop(),
    };
  }
  const start = Date.now();
  let last = 0;
  let lastDone = -1;
  let current = 0;
  let currentStatus = '';
  const line = () => {
    const s = ((Date.now() - start) / 1000).toFixed(0);
    stream.write(`${label}: ${current}/${total} ${currentStatus} (${s}s)\n`);
    lastDone = current;
  };
  return {
    update(done, status = '') {
      current = done;
      currentStatus = status;
      const now = Date.now();
      if (now - last >= intervalMs || done === total) {
        last = now;
        line();
      }
    },
    stop() {
      if (lastDone !== current) line();
    },
  };
}
