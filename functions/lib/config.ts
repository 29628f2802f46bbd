/**
 * Configuration from the environment, read and checked once (STYLE.md: "a missing variable fails there, with its
 * name"). Handlers read it when the Lambda runtime first calls them, not at import, so a test can import a handler
 * module without an environment.
 */
export class MissingConfigError extends Error {
  constructor(readonly names: readonly string[]) {
    super(`missing configuration: set the environment variable${names.length > 1 ? 's' : ''} ${names.join(', ')}`);
    this.name = 'MissingConfigError';
  }
}

/** The named variables, each required to be set and non-empty; one error names every one that is missing. */
export function requireEnv<const K extends string>(
  names: readonly K[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Readonly<Record<K, string>> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) throw new MissingConfigError(missing);
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}

/** A variable that may be left unset (or empty): undefined then. */
export const optionalEnv = (name: string, env: Readonly<Record<string, string | undefined>> = process.env) =>
  env[name] || undefined;

/**
 * A Lambda handler built on its first call (the cold start), with the configuration read then, and kept for every
 * call after.
 */
export function onFirstCall<A extends unknown[], R>(build: () => (...args: A) => R): (...args: A) => R {
  let built: ((...args: A) => R) | undefined;
  return (...args: A) => {
    built ??= build();
    return built(...args);
  };
}
