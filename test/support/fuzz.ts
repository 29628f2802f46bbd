/**
 * How many generated cases a fuzz test runs: FUZZ_RUNS if set; else 10,000 in CI (.ci/run sets CI=true), the figure
 * the project brief asks for, and 1,000 locally, so the edit loop stays short. FUZZ_SEED replays a failure.
 */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.CI === 'true' ? 10_000 : 1_000));
