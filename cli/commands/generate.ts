import { progressBar } from '../progress.ts';
import {
  type FileEntry,
  type GenerateManifest,
  type GenerateOptions,
  generateNationalDemo,
  generateNationalDemoInTurns,
  lastCompleteMonth,
} from '../synthetic/generate.ts';

export interface GenerateCommandOptions {
  readonly out: string;
  readonly scale: number;
  readonly months: number;
  readonly seed: number;
  readonly end?: string;
  readonly faultRate?: number;
  readonly progress?: boolean;
  /**
   * When each file is received, by its path (see GenerateOptions.receivedAt); by default the moment the generation
   * starts, since the files are sent after they are made.
   */
  readonly receivedAt?: (path: string) => number;
  /** Each PCN's files once written (see GenerateOptions.onFiles). */
  readonly onFiles?: (files: readonly FileEntry[]) => void;
}

export function runGenerate(options: GenerateCommandOptions): GenerateManifest {
  return generateNationalDemo(generateOptions(options));
}

/** runGenerate, letting the event loop run between PCNs (generateNationalDemoInTurns). */
export async function runGenerateInTurns(options: GenerateCommandOptions): Promise<GenerateManifest> {
  return generateNationalDemoInTurns(generateOptions(options));
}

function generateOptions(options: GenerateCommandOptions): GenerateOptions {
  if (!(options.scale > 0 && options.scale <= 1)) throw new Error('--scale must be more than 0 and at most 1');
  if (!Number.isInteger(options.months) || options.months < 1 || options.months > 96)
    throw new Error('--months must be a whole number from 1 to 96');
  if (options.end !== undefined && !/^20\d\d-(0[1-9]|1[0-2])$/.test(options.end))
    throw new Error('--end must be YYYY-MM');
  let bar: ReturnType<typeof progressBar> | undefined;
  const startedAt = Date.now();
  return {
    outDir: options.out,
    scale: options.scale,
    months: options.months,
    seed: options.seed,
    endMonth: options.end ?? lastCompleteMonth(new Date(startedAt)),
    receivedAt: options.receivedAt ?? (() => startedAt),
    faultRate: options.faultRate ?? 0.003,
    onFiles: options.onFiles,
    onProgress: (done, total) => {
      bar ??= progressBar('generate', total, options.progress);
      bar.tick(`PCNs`);
      if (done === total) bar.stop();
    },
  };
}
