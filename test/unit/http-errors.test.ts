import { describe, expect, it } from 'vitest';
import { InvalidIdentityError, UnauthenticatedError } from '../../functions/auth/scope.ts';
import { BadRequestError, errorResponse, ForbiddenError, HttpError } from '../../functions/lib/http-errors.ts';
import { InvalidKeyError } from '../../functions/lib/object-store.ts';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

describe('errorResponse: the one error-to-status table (server, API and upload Lambdas)', () => {
  it('answers each error that carries a status with that status and its own message', () => {
    const answers = [
      new UnauthenticatedError('sign in again'),
      new InvalidIdentityError('the pcn role needs a valid pcn code'),
      new InvalidKeyError('starts with /'),
      new BadRequestError('level must be one of national, region, icb, pcn'),
      new ForbiddenError('not your area'),
    ].map((error) => {
      const response = errorResponse(error);
      return [response?.status, JSON.parse(response?.body ?? 'null').error];
    });
    expect(answers).toEqual([
      [401, 'sign in again'],
      [403, 'the pcn role needs a valid pcn code'],
      [400, 'invalid object key: starts with /'],
      [400, 'level must be one of national, region, icb, pcn'],
      [403, 'not your area'],
    ]);
  });

  it('keeps an error’s own headers beside the JSON ones', () => {
    expect(errorResponse(new HttpError(503, 'busy', { 'retry-after': '1' }))).toEqual({
      status: 503,
      headers: { ...JSON_HEADERS, 'retry-after': '1' },
      body: '{"error":"busy"}',
    });
  });

  it('leaves any other error to the caller, so its message is never shown', () => {
    expect(errorResponse(new Error('ENOENT /srv/data/secret path'))).toBeUndefined();
    expect(errorResponse('a string')).toBeUndefined();
  });

  it('names each error by its class', () => {
    expect([new UnauthenticatedError('x').name, new InvalidKeyError('x').name]).toEqual([
      'UnauthenticatedError',
      'InvalidKeyError',
    ]);
  });
});
