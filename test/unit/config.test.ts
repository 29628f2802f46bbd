import { describe, expect, it } from 'vitest';
import { MissingConfigError, onFirstCall, optionalEnv, requireEnv } from '../../functions/lib/config.ts';

describe('lib/config: configuration read once, a missing variable named', () => {
  it('returns the variables asked for', () => {
    expect(requireEnv(['DATA_BUCKET', 'GLUE_DATABASE'], { DATA_BUCKET: 'b', GLUE_DATABASE: 'g', OTHER: 'x' })).toEqual({
      DATA_BUCKET: 'b',
      GLUE_DATABASE: 'g',
    });
  });

  it('names every variable that is missing or empty, in one error', () => {
    const read = () => requireEnv(['DATA_BUCKET', 'USER_POOL_ID', 'USER_POOL_CLIENT_ID'], { USER_POOL_ID: '' });
    expect(read).toThrow(MissingConfigError);
    expect(read).toThrow(
      'missing configuration: set the environment variables DATA_BUCKET, USER_POOL_ID, USER_POOL_CLIENT_ID',
    );
  });

  it('treats an empty optional variable as unset', () => {
    expect([optionalEnv('TARGETS', { TARGETS: '' }), optionalEnv('TARGETS', { TARGETS: '{}' })]).toEqual([
      undefined,
      '{}',
    ]);
  });

  it('builds a handler on its first call only', async () => {
    let builds = 0;
    const handler = onFirstCall(() => {
      builds++;
      return async (n: number) => n * 2;
    });
    expect(builds).toBe(0);
    expect([await handler(1), await handler(2)]).toEqual([2, 4]);
    expect(builds).toBe(1);
  });
});
