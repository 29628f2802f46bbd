import { format } from 'node:util';
import { vi } from 'vitest';

/**
 * Runs `sp-outcomes ARGS…` inside the test worker: cli/bin.ts parses process.argv when it is evaluated, so each run
 * evaluates it afresh (vi.resetModules) with the arguments in place, and collects what it prints and its exit code.
 * A child process costs seconds of module loading per command; keep at least one child run per test file that
 * needs to prove the installed command itself (cli/sp-outcomes.js).
 */
export async function runCliInProcess(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const argv = process.argv;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts) => void stdout.push(`${format(...parts)}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts) => void stderr.push(`${format(...parts)}\n`));
  process.argv = [process.execPath, 'sp-outcomes', ...args];
  process.exitCode = undefined;
  try {
    vi.resetModules();
    await import('../../cli/bin.ts');
    return { stdout: stdout.join(''), stderr: stderr.join(''), code: Number(process.exitCode ?? 0) };
  } finally {
    process.argv = argv;
    process.exitCode = undefined;
    log.mockRestore();
    error.mockRestore();
  }
}
