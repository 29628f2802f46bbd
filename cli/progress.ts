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

/** A byte-count progress bar for one large transfer; silent when output is piped or the file is small. */
export function byteProgress(label: string, totalBytes: number, enabled = process.stderr.isTTY === true) {
  if (!enabled || totalBytes < 1024 * 1024) return { add: (_bytes: number) => {}, stop: () => {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% {value}/{total} KiB`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(Math.ceil(totalBytes / 1024), 0);
  let sent = 0;
  return {
    add: (bytes: number) => {
      sent += bytes;
      bar.update(Math.floor(sent / 1024));
    },
    stop: () => bar.stop(),
  };
}
