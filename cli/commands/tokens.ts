import { S3Client } from '@aws-sdk/client-s3';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf } from '../../functions/auth/scope.ts';
import { PCN_CODE_PATTERN } from '../../functions/contract/areas.ts';
import { FsObjectStore, type ObjectStore } from '../../functions/lib/object-store.ts';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';

/** Where PCN tokens live: the local store, or the deployed data bucket (`--bucket`, with the caller's AWS credentials). */
export function tokenStore(opts: { data: string; bucket?: string }): ObjectStore {
  return opts.bucket ? new S3ObjectStore(new S3Client({}), opts.bucket) : new FsObjectStore(opts.data);
}

/** A storage failure as a person can act on it: which folder, and why, without a stack trace. */
export function storageProblem(error: unknown, where: string): Error {
  const code = (error as NodeJS.ErrnoException)?.code;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOTDIR: 'part of the path is a file, not a folder',
    ENOSPC: 'the disk is full',
  };
  const reason = code ? reasons[code] : undefined;
  return reason ? new Error(`cannot write to ${where}: ${reason} (${code})`) : (error as Error);
}

export async function runPcnTokenCreate(
  store: ObjectStore,
  pcn: string,
  opts: { expiresInDays: number; rotate: boolean },
  log = console.log,
): Promise<string> {
  const where = store instanceof FsObjectStore ? store.root : 'the data bucket';
  const { token, record, revoked } = await new PcnTokenRegistry(store).create(pcn, opts).catch((error: unknown) => {
    throw storageProblem(error, where);
  });
  if (revoked.length > 0) log(`revoked ${revoked.join(', ')}`);
  log(
    `token ${record.token_id} for ${pcn}, expires ${record.expires_at.slice(0, 10)}. Give it to the PCN securely; it is not shown again:`,
  );
  log(token);
  return token;
}

export async function runPcnTokenList(store: ObjectStore, pcn: string | undefined, log = console.log): Promise<void> {
  const registry = new PcnTokenRegistry(store);
  const records = await registry.list(pcn);
  if (records.length === 0) return log('no tokens');
  for (const r of records) {
    const state = r.revoked_at ? `revoked ${r.revoked_at.slice(0, 10)}` : registry.isActive(r) ? 'active' : 'expired';
    log(
      `${r.pcn_code}  ${r.token_id}  created ${r.created_at.slice(0, 10)}  expires ${r.expires_at.slice(0, 10)}  ${state}`,
    );
  }
}

export async function runPcnTokenRevoke(store: ObjectStore, target: string, log = console.log): Promise<number> {
  const registry = new PcnTokenRegistry(store);
  // A PCN code revokes all of that PCN's tokens; a token id just that one.
  const ids = PCN_CODE_PATTERN.test(target)
    ? (await registry.list(target)).filter((r) => r.revoked_at === null).map((r) => r.token_id)
    : [target];
  let revoked = 0;
  for (const id of ids) if (await registry.revoke(id)) revoked++;
  log(revoked > 0 ? `revoked ${ids.join(', ')}: refused from the next request on` : `no token ${target}`);
  return revoked > 0 ? 0 : 1;
}

/** A sign-in token lasts an hour at least and 30 days at most: long enough for a demo, short enough to lose. */
export const MIN_TOKEN_HOURS = 1;
export const MAX_TOKEN_HOURS = 24 * 30;
export const tokenHoursRule = `--hours must be a number of hours from ${MIN_TOKEN_HOURS} to ${MAX_TOKEN_HOURS} (30 days)`;

/** `sp-outcomes token`: a signed sign-in token for the local dashboard and metrics API, and its sign-in link. */
export async function runUserToken(
  dataDir: string,
  opts: { role: string; code?: string; user: string; hours: number; url: string },
  log = console.log,
): Promise<string> {
  if (!(opts.hours >= MIN_TOKEN_HOURS && opts.hours <= MAX_TOKEN_HOURS)) throw new RangeError(tokenHoursRule);
  const identity = identityOf(opts.role, opts.code, opts.user);
  const secret = await signingSecret(new FsObjectStore(dataDir));
  const token = await issueUserToken(secret, identity, { expiresInSeconds: Math.round(opts.hours * 3600) });
  log(token);
  log(`sign-in link (${identity.role} ${identity.code}, ${opts.hours} h): ${signInLink(opts.url, token)}`);
  return token;
}

/** The token travels in the fragment, which browsers never send to a server or put in its logs. */
export const signInLink = (url: string, token: string) => `${url}/#token=${token}`;
