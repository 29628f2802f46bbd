import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Uploader, UploadOutcome } from './upload.ts';

/** Where a file goes after a run: sent/ (accepted, perhaps with rejected rows) or failed/; unsent files stay. */
function fileAway(dir: string, outcome: UploadOutcome): string | undefined {
  if (outcome.status === 'not_sent') return undefined;
  const folder = join(dir, outcome.status === 'rejected' ? 'failed' : 'sent');
  mkdirSync(folder, { recursive: true });
  let target = join(folder, basename(outcome.file));
  if (existsSync(target))
    target = join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${basename(outcome.file)}`);
  renameSync(outcome.file, target);
  const { file: _file, ...report } = outcome;
  writeFileSync(`${target}.receipt.json`, `${JSON.stringify(report, null, 2)}\n`);
  return target;
}

/** The extracts waiting in a folder: CSV files directly inside it, oldest name first. */
export function waitingFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && entry.name.toLowerCase().endsWith('.csv'))
    .map((entry) => join(dir, entry.name))
    .sort();
}

/** `--dir DIR`: every waiting file once, each moved to sent/ or failed/ with its receipt; keeps going after a failure. */
export async function uploadDir(
  dir: string,
  uploader: Uploader,
  onOutcome: (outcome: UploadOutcome) => void,
  files = waitingFiles(dir),
): Promise<UploadOutcome[]> {
  const outcomes: UploadOutcome[] = [];
  for (const file of files) {
    const outcome = await uploader.send(file);
    const moved = fileAway(dir, outcome);
    const final = moved ? { ...outcome, file: moved } : outcome;
    outcomes.push(final);
    onOutcome(final);
  }
  return outcomes;
}

/** Waits ms, or less if the signal aborts; leaves no listener behind either way (the loop runs for months). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * `--watch DIR`: looks every interval and sends each file once it has stopped changing (same size and time on two
 * looks), so a file still being written is never sent half-done. Runs until the signal aborts.
 */
export async function watchDir(
  dir: string,
  uploader: Uploader,
  onOutcome: (outcome: UploadOutcome) => void,
  options: { readonly intervalMs: number; readonly signal: AbortSignal },
): Promise<void> {
  const seen = new Map<string, string>();
  while (!options.signal.aborted) {
    const stable: string[] = [];
    for (const file of waitingFiles(dir)) {
      const { size, mtimeMs } = statSync(file);
      const fingerprint = `${size}:${mtimeMs}`;
      if (seen.get(file) === fingerprint) stable.push(file);
      seen.set(file, fingerprint);
    }
    if (stable.length > 0) {
      await uploadDir(dir, uploader, onOutcome, stable);
      // A file that could not be sent stays and is tried again on the next look.
      for (const file of stable) if (!existsSync(file)) seen.delete(file);
    }
    await pause(options.intervalMs, options.signal);
  }
}
