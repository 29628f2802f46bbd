import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { META_KEY, RELEASES_PREFIX, releasePrefix } from '../../functions/lib/keys.ts';
import { publishedMeta, storedReleases } from '../../functions/lib/release.ts';
import type { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { type AwsStandIns, startAwsStandIns } from '../support/aws-stand-ins.ts';
import { tempDir } from '../support/files.ts';
import { ingestSmallDemo } from '../support/golden.ts';
import type { LocalS3 } from '../support/s3.ts';
import type { AthenaStandIn } from './athena-stand-in.ts';
import { lambdaFunction, type SynthesisedApp, WarmLambda } from './bundles.ts';
import { TemplateAuthoriser, withoutGrant } from './iam-authoriser.ts';
import { type S3IamProxy, startS3IamProxy } from './s3-iam-proxy.ts';

/*
 * Review 25, R25-10: each refresh publishes a release under metrics/releases/<id>/, names it in metrics/meta.json, and
 * deletes the releases no reader needs any more (functions/lib/release.ts pruneReleases: it keeps the one published and
 * the two newest before it). bundles.aws.test.ts publishes three releases, so no prune ever ran there, and the refresh
 * role's DeleteObject on metrics/releases/ (and nowhere else under metrics/) was never exercised. Here the refresh
 * bundle from cdk.out publishes four releases against s3rver, every S3 call authorised against its role's policies as
 * synthesised (iam-authoriser.ts); then once more with that grant taken away, where the refusal is logged through the
 * function's structured logger, naming the release.
 */
const dir = tempDir('aws-release-pruning');
/** s3rver with the template's buckets, the IAM stand-in and the S3 proxy authorising by it (test/support). */
let aws: AwsStandIns;
let app: SynthesisedApp;
let s3: LocalS3;
let authoriser: TemplateAuthoriser;
let proxy: S3IamProxy;
const standIns: AthenaStandIn[] = [];
const proxies: S3IamProxy[] = [];
const lambdas: WarmLambda[] = [];
let dataBucket: string;
let data: S3ObjectStore;
const scheduled = JSON.parse(readFileSync('test/fixtures/events/eventbridge-scheduled.json', 'utf8'));

/** The refresh bundle against the data bucket, authorised by `rights` (its own proxy and Athena stand-in). */
async function refreshBundle(rights: TemplateAuthoriser): Promise<WarmLambda> {
  let endpoint = proxy.endpoint;
  if (rights !== authoriser) {
    const own = await startS3IamProxy(s3.endpoint, rights);
    proxies.push(own);
    endpoint = own.endpoint;
  }
  const athena = await aws.startAthena(rights);
  standIns.push(athena);
  const fn = lambdaFunction(app, 'RefreshHandler');
  const folder = join(dir.path, `${fn.logicalId}-${lambdas.length}`);
  const lambda = new WarmLambda(fn, folder, {
    ...aws.functionEnv(fn),
    ...rights.credentialsFor(fn.logicalId),
    SQL_ROOT: join(folder, 'sql'),
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
    // Compaction is not what this file is about, and it would delete curated/ objects beside the releases.
    COMPACTION_BUDGET_MS: '0',
  });
  lambdas.push(lambda);
  return lambda;
}

/** One scheduled refresh: the release it published. */
async function refreshOnce(lambda: WarmLambda, label: string): Promise<string> {
  const started = Date.now();
  const answer = await lambda.invoke(scheduled);
  console.info(`refresh bundle (${label}): ${Date.now() - started} ms`);
  expect(answer.error, label).toBeUndefined();
  return (answer.result as { release: string }).release;
}

beforeAll(async () => {
  // A small national sample (2% of PCNs, 3 months), ingested by the ingest core into a folder, then copied into the
  // data bucket key for key (the ingest bundle is bundles.aws.test.ts's subject).
  const local = join(dir.path, 'local');
  await ingestSmallDemo(local, join(dir.path, 'demo'), 25);
  aws = await startAwsStandIns(join(dir.path, 'cdk.out'));
  ({ app, s3, authoriser, s3Proxy: proxy, dataBucket, data } = aws);
  const files = (folder: string): string[] =>
    readdirSync(folder).flatMap((name) => {
      const path = join(folder, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
  for (const path of files(local)) {
    const key = relative(local, path);
    if (!key.startsWith('.')) await data.put(key, readFileSync(path));
  }
}, 600_000);

afterAll(async () => {
  for (const lambda of lambdas) lambda.stop();
  for (const standIn of standIns) await standIn.stop();
  for (const each of proxies) await each.stop();
  await aws?.stop();
  dir.remove();
});

describe('old releases pruned by the refresh bundle, authorised by its role', () => {
  const published: string[] = [];

  it('the fourth refresh deletes the first release, and only it: the one published and the two before it remain', async () => {
    const refresh = await refreshBundle(authoriser);
    for (let i = 1; i <= 4; i++) {
      published.push(await refreshOnce(refresh, `release ${i}`));
      // Each release is a new one (its id: the refresh's generated_at), named by meta.json once written whole.
      expect(new Set(published).size).toBe(i);
      expect((await publishedMeta(data))?.release).toBe(published[i - 1]);
      // Up to three, every release stays: the one published and the two before it.
      if (i < 4) expect(await storedReleases(data)).toEqual(published.slice(0, i));
    }
    const [first, second, third, fourth] = published as [string, string, string, string];
    expect(await storedReleases(data)).toEqual([second, third, fourth]);
    expect(await data.list(releasePrefix(first))).toEqual([]);
    // Every object of the first release was deleted by the refresh's own role, allowed by the template's policies: at
    // least its meta-named documents (14 JSON documents) and its national pack.
    const deletes = authoriser.decided.filter((d) => d.startsWith('s3:DeleteObject '));
    const releaseDeletes = deletes.filter((d) =>
      d.startsWith(`s3:DeleteObject arn:aws:s3:::${dataBucket}/${releasePrefix(first)}`),
    );
    expect(releaseDeletes.length).toBeGreaterThanOrEqual(15);
    expect(releaseDeletes).toContain(
      `s3:DeleteObject arn:aws:s3:::${dataBucket}/${releasePrefix(first)}packs/national/ENG.pdf`,
    );
    // No release but the first was deleted from, and nothing else under metrics/ (compaction is off).
    expect(deletes.filter((d) => d.includes('/metrics/') && !releaseDeletes.includes(d))).toEqual([]);
    expect(authoriser.refused).toEqual([]);
  }, 900_000);

  it('refuses the refresh role a delete under metrics/ outside metrics/releases/ (meta.json, a flat document)', async () => {
    const fn = lambdaFunction(app, 'RefreshHandler');
    const client = new S3Client({
      endpoint: proxy.endpoint,
      region: 'eu-west-2',
      forcePathStyle: true,
      credentials: {
        accessKeyId: authoriser.credentialsFor(fn.logicalId).AWS_ACCESS_KEY_ID,
        secretAccessKey: 'S3RVER',
      },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
    });
    for (const key of [META_KEY, 'metrics/rollout.json', `${RELEASES_PREFIX.slice(0, -1)}-old/rollout.json`]) {
      await expect(client.send(new DeleteObjectCommand({ Bucket: dataBucket, Key: key })), key).rejects.toMatchObject({
        name: 'AccessDenied',
      });
    }
    client.destroy();
    expect(authoriser.refused.map((r) => `${r.action} ${r.resource}`)).toEqual([
      `s3:DeleteObject arn:aws:s3:::${dataBucket}/metrics/meta.json`,
      `s3:DeleteObject arn:aws:s3:::${dataBucket}/metrics/rollout.json`,
      `s3:DeleteObject arn:aws:s3:::${dataBucket}/metrics/releases-old/rollout.json`,
    ]);
    // meta.json is still there, naming the fourth release.
    expect((await publishedMeta(data))?.release).toBe(published[3]);
    authoriser.refused.length = 0;
  });

  it('without DeleteObject on metrics/releases/, the refresh still publishes, and logs the release it could not delete', async () => {
    const rights = new TemplateAuthoriser(
      withoutGrant({ Resources: app.resources }, 's3:DeleteObject', '/metrics/releases/*'),
      app.buckets,
    );
    const refresh = await refreshBundle(rights);
    const fifth = await refreshOnce(refresh, 'release 5, without the grant');
    const [, second, third, fourth] = published as [string, string, string, string];
    expect((await publishedMeta(data))?.release).toBe(fifth);
    // The second release was due to go: its deletes were refused, so it stays for the next refresh.
    expect(await storedReleases(data)).toEqual([second, third, fourth, fifth]);
    expect(rights.refused.length).toBeGreaterThan(0);
    for (const refusal of rights.refused) {
      expect(refusal.action).toBe('s3:DeleteObject');
      expect(refusal.resource.startsWith(`arn:aws:s3:::${dataBucket}/${releasePrefix(second)}`)).toBe(true);
    }
    // One structured line (Powertools' JSON) naming the release; no console text line.
    const lines = refresh.stderr
      .join('')
      .split('\n')
      .filter((l) => l.includes('old release not deleted'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'WARN',
      service: 'sp-outcomes-refresh',
      message: 'old release not deleted (the next refresh tries again)',
      release: second,
      error: 'AccessDenied',
    });
  }, 900_000);
});
