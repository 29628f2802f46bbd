import { SingleBar } from 'cli-progress';

/** A progress bar on a terminal; silent when output is piped (CI logs, scripts, --json). */
export function progressBar(label: string, total: number, enabled = process.stderr.isTTY === true) {
  if (!enabled || total < 2) return { tick: (_detail?: string) => {}, stop: () => {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} {detail}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0, { detail: '' });
  return {
    tick: (detail = '') => bar.increment(1, { detail }),
    stop: () => bar.stop(),
  };
}
