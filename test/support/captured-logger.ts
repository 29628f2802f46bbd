import { Logger } from '@aws-lambda-powertools/logger';

/**
 * A Powertools logger whose structured lines are kept, parsed, instead of printed: what a handler logs, for a test to
 * read. `debug: false` drops the debug lines.
 */
export function capturedLogger(
  serviceName: string,
  options: { readonly debug?: boolean } = {},
): { readonly logger: Logger; readonly logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const logger = new Logger({ serviceName });
  const keep = (line: string) => {
    logs.push(JSON.parse(line));
  };
  (logger as unknown as { console: Record<string, (line: string) => void> }).console = {
    info: keep,
    warn: keep,
    error: keep,
    debug: options.debug === false ? () => {} : keep,
  };
  return { logger, logs };
}
