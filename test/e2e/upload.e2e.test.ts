import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { runKeygen } from '../../cli/commands/pseudonymise.ts';
import { runPcnTokenCreate } from '../../cli/commands/tokens.ts';
import { type LocalStack, startServer } from '../../cli/server.ts';
import { extractFromUploadFile } from '../../cli/synthetic/extract.ts';
import { type FileEntry, generateNationalDemo } from '../../cli/synthetic/generate.ts';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf } from '../../functions/auth/scope.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { parseKey, personIdFor } from '../../functions/upload/pseudonymise.ts';
import { startCaptureProxy } from '../support/capture-proxy.ts';
import { tempDir } from '../support/files.ts';
import { freePort } from '../support/local-stack.ts';

/**
 * A PCN's monthly upload from end to end on the local stack: the national team issues a token, the PCN makes its
 * key, drops its extract in a folder and runs `sp-outcomes upload --dir` (the real CLI, in its own process) through
 * a proxy that records every byte; the receipt comes back and the published metrics include the file.
 */
const run = promisify(execFile);
const dir = tempDir('upload-e2e');
const dataDir = join(dir.path, 'data');
const outbox = join(dir.path, 'outbox');
let stack: LocalStack;
let proxy: Awaited<ReturnType<typeof startCaptureProxy>>;
let chosen: FileEntry;
let extract: { extract: string; nhsNumbers: string[] };
let referralsInFile: number;
let rowsInFile: number;

/** The national team's reads: behind the proxy every data request needs a token (R13-2). */
let national: { authorization: string };
const read = (path: string) => fetch(`${stack.url}${path}`, { headers: national });

const nationalReferrals = async (month: string) => {
  const response = await read(`/api/metrics/rollout?level=national&period=${month}`);
  const { rows } = (await response.json()) as { rows: { referrals: number }[] };
  return rows[0]?.referrals ?? 0;
};

/** The chosen PCN's files received, as data_quality publishes them (the national team reads every PCN's). */
const uploadsOfChosen = async () => {
  const response = await read('/api/metrics/data_quality?level=pcn');
  const { rows } = (await response.json()) as { rows: { code: string; uploads: number }[] };
  return rows.find((r) => r.code === chosen.pcn)?.uploads ?? 0;
};

const meta = async () =>
  (await (await read('/api/meta')).json()) as {
    generated_at: string;
    revisions_held?: { periods: string[]; documents: Record<string, { periods: string[] }> };
  };

const upload = (...args: string[]) =>
  run(
    process.execPath,
    [
      'cli/sp-outcomes.js',
      'upload',
      '--server',
      proxy.url,
      '--key',
      join(dir.path, 'pcn.key'),
      '--token-file',
      join(dir.path, 'pcn.token'),
      '--json',
      ...args,
    ],
    { encoding: 'utf8' },
  ).catch((error: { code: number; stdout: string; stderr: string }) => error);

beforeAll(async () => {
  const demo = join(dir.path, 'demo');
  const manifest = generateNationalDemo({
    outDir: demo,
    scale: 0.01,
    months: 3,
    endMonth: '2026-09',
    seed: 5,
    faultRate: 0,
  });
  chosen = manifest.files.find(
    (f) => f.kind === 'events' && f.month === '2026-09' && !f.late && !f.identifiable,
  ) as FileEntry;
  const store = new FsObjectStore(dataDir);
  await stageReference(store, readFileSync(join(demo, manifest.reference), 'utf8'));
  await ingestFiles(
    manifest.files.filter((f) => f !== chosen).map((f) => join(demo, f.path)),
    { dataDir, out: () => {}, progress: false },
  );
  const engine = new DuckDbEngine(dataDir);
  await refreshMetrics({ store, engine });
  await engine.close();

  const uploadFile = readFileSync(join(demo, chosen.path), 'utf8');
  const rows = Papa.parse<Record<string, string>>(uploadFile.trim(), { header: true }).data;
  rowsInFile = rows.length;
  referralsInFile = rows.filter((r) => r.event_type === 'referral').length;
  extract = extractFromUploadFile(uploadFile);

  // The uploader reaches the server only through the proxy, presigned POSTs included.
  const port = await freePort();
  proxy = await startCaptureProxy(port);
  stack = await startServer({
    dataDir,
    port,
    host: '127.0.0.1',
    refreshDelayMs: 100,
    log: () => {},
    publicUrl: proxy.url,
  });
  const nationalToken = await issueUserToken(await signingSecret(store), identityOf('national', 'ENG', 'tester'), {
    expiresInSeconds: 3600,
  });
  national = { authorization: `Bearer ${nationalToken}` };
  const token = await runPcnTokenCreate(store, chosen.pcn, { expiresInDays: 30, rotate: false }, () => {});
  writeFileSync(join(dir.path, 'pcn.token'), token, { mode: 0o600 });
  runKeygen(chosen.pcn, join(dir.path, 'pcn.key'), () => {});
  mkdirSync(outbox);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  // The stack's close waits for the ingest and refresh work still running, then closes the server (review 42, R42-1).
  await stack?.close();
  dir.remove();
});

describe('sp-outcomes upload --dir, end to end on the local stack', () => {
  let before: number;
  let firstReceipt: { upload_id: string };

  let uploadsBefore: number;

  // One PCN's file moves England's exact September by exactly its referrals: the revisions policy (revisions.ts) holds
  // that change (fewer than 3 PCNs made it) and says so, while the file counts as received.
  it('sends the extract, gets its receipt, files it under sent/; the refresh counts the file and holds England', async () => {
    expect(referralsInFile).toBeGreaterThan(0);
    before = await nationalReferrals('2026-09');
    uploadsBefore = await uploadsOfChosen();
    expect(before).toBeGreaterThan(0);
    expect((await meta()).revisions_held).toBeUndefined();
    writeFileSync(join(outbox, `${chosen.pcn}-2026-09.csv`), extract.extract);

    const result = await upload('--dir', outbox);
    expect(result.stderr).toBe('');
    expect(['code' in result ? result.code : 0, result.stdout]).toEqual([0, expect.any(String)]);
    const outcome = JSON.parse(result.stdout.trim());
    expect(outcome).toMatchObject({
      status: 'accepted',
      exit_code: 0,
      already_received: false,
      receipt: {
        pcn_code: chosen.pcn,
        status: 'accepted',
        rows: { read: rowsInFile, accepted: rowsInFile, rejected: 0 },
      },
    });
    firstReceipt = outcome.receipt;
    expect(existsSync(join(outbox, `${chosen.pcn}-2026-09.csv`))).toBe(false);
    expect(existsSync(join(outbox, 'sent', `${chosen.pcn}-2026-09.csv`))).toBe(true);
    const saved = JSON.parse(readFileSync(join(outbox, 'sent', `${chosen.pcn}-2026-09.csv.receipt.json`), 'utf8'));
    expect(saved.receipt.upload_id).toBe(outcome.upload_id);

    await stack.pipeline.idle();
    expect(await uploadsOfChosen()).toBe(uploadsBefore + 1);
    expect(await nationalReferrals('2026-09')).toBe(before);
    const held = (await meta()).revisions_held;
    expect(held?.periods).toContain('2026-09');
    expect(held?.documents.rollout?.periods).toContain('2026-09');
  }, 120_000);

  it('sent no NHS number: every byte through the proxy is checked for each number, plain and spaced', () => {
    const sent = proxy.sent().toString('latin1');
    const key = parseKey(readFileSync(join(dir.path, 'pcn.key'), 'utf8'));
    expect(sent).toContain(personIdFor(key, extract.nhsNumbers[0] as string));
    for (const number of extract.nhsNumbers) {
      expect(sent).not.toContain(number);
      expect(sent).not.toContain(`${number.slice(0, 3)} ${number.slice(3, 6)} ${number.slice(6)}`);
    }
    expect(sent).not.toContain('nhs_number');
  });

  it('the same file again is the same upload: nothing new is counted', async () => {
    const published = await meta();
    writeFileSync(join(outbox, `${chosen.pcn}-2026-09.csv`), extract.extract);
    const result = await upload('--dir', outbox);
    expect(result.stderr).toBe('');
    expect('code' in result ? result.code : 0).toBe(0);
    const outcome = JSON.parse(result.stdout.trim());
    expect(outcome).toMatchObject({ status: 'accepted', already_received: true, upload_id: firstReceipt.upload_id });
    await stack.pipeline.idle();
    expect(await uploadsOfChosen()).toBe(uploadsBefore + 1);
    expect(await nationalReferrals('2026-09')).toBe(before);
    expect((await meta()).generated_at).toBe(published.generated_at);
  }, 120_000);
});
