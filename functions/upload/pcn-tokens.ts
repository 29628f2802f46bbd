import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '../auth/scope.ts';
import { PCN_CODE_PATTERN } from '../contract/areas.ts';
import type { ObjectStore } from '../lib/object-store.ts';

/**
 * PCN upload credentials. The national team issues one per PCN (`sp-outcomes pcn-token create`); the token is shown
 * once and only its SHA-256 is stored, under auth/pcn-tokens/<token id>.json. Every request reads the record again,
 * so a revocation or an expiry holds from the next request on.
 */
export interface PcnTokenRecord {
  readonly token_id: string;
  readonly pcn_code: string;
  /** SHA-256 of the token's secret part, hex. The secret itself is never stored. */
  readonly secret_sha256: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly revoked_at: string | null;
}

export interface PcnCredential {
  readonly pcnCode: string;
  readonly tokenId: string;
}

const PREFIX = 'auth/pcn-tokens/';
const TOKEN = /^spu_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const DAY_MS = 86_400_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export class PcnTokenRegistry {
  constructor(
    private readonly store: ObjectStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private async read(tokenId: string): Promise<PcnTokenRecord | undefined> {
    const bytes = await this.store.get(`${PREFIX}${tokenId}.json`);
    return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as PcnTokenRecord);
  }

  private write(record: PcnTokenRecord): Promise<void> {
    return this.store.put(`${PREFIX}${record.token_id}.json`, `${JSON.stringify(record, null, 2)}\n`, {
      contentType: 'application/json',
    });
  }

  async list(pcnCode?: string): Promise<PcnTokenRecord[]> {
    const keys = await this.store.list(PREFIX);
    const records = await Promise.all(keys.map((key) => this.read(key.slice(PREFIX.length, -'.json'.length))));
    return records
      .filter((r): r is PcnTokenRecord => r !== undefined && (pcnCode === undefined || r.pcn_code === pcnCode))
      .sort((a, b) => a.pcn_code.localeCompare(b.pcn_code) || a.created_at.localeCompare(b.created_at));
  }

  isActive(record: PcnTokenRecord): boolean {
    return record.revoked_at === null && Date.parse(record.expires_at) > this.clock().getTime();
  }

  /**
   * A new token for a PCN. A PCN has one active token: with `rotate`, the old ones are revoked at once; without it,
   * creating a second is refused.
   */
  async create(
    pcnCode: string,
    options: { readonly expiresInDays: number; readonly rotate?: boolean },
  ): Promise<{ token: string; record: PcnTokenRecord; revoked: string[] }> {
    if (!PCN_CODE_PATTERN.test(pcnCode)) throw new Error('the PCN code must be U followed by 5 digits');
    if (!(options.expiresInDays > 0 && options.expiresInDays <= 731))
      throw new Error('a token expires within 1 to 731 days');
    const active = (await this.list(pcnCode)).filter((r) => this.isActive(r));
    if (active.length > 0 && !options.rotate)
      throw new Error(
        `${pcnCode} already has an active token (${active.map((r) => r.token_id).join(', ')}): use --rotate to replace it`,
      );
    const now = this.clock();
    const tokenId = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record: PcnTokenRecord = {
      token_id: tokenId,
      pcn_code: pcnCode,
      secret_sha256: sha256(secret).toString('hex'),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + options.expiresInDays * DAY_MS).toISOString(),
      revoked_at: null,
    };
    await this.write(record);
    for (const old of active) await this.revoke(old.token_id);
    return { token: `spu_${tokenId}_${secret}`, record, revoked: active.map((r) => r.token_id) };
  }

  /** Revokes one token by id; returns false when there is no such token. */
  async revoke(tokenId: string): Promise<boolean> {
    if (!/^[0-9a-f]{16}$/.test(tokenId)) return false;
    const record = await this.read(tokenId);
    if (!record) return false;
    if (record.revoked_at === null) await this.write({ ...record, revoked_at: this.clock().toISOString() });
    return true;
  }

  /** The PCN a token speaks for; UnauthenticatedError (never echoing the token) when it is unknown, wrong, revoked or expired. */
  async verify(token: string | undefined): Promise<PcnCredential> {
    const match = TOKEN.exec(token ?? '');
    if (!match) throw new UnauthenticatedError('a PCN upload token is required (Authorization: Bearer spu_...)');
    const [, tokenId, secret] = match as unknown as [string, string, string];
    const record = await this.read(tokenId);
    const expected = Buffer.from(record?.secret_sha256 ?? '00'.repeat(32), 'hex');
    const matches = timingSafeEqual(sha256(secret), expected);
    if (!record || !matches) throw new UnauthenticatedError('the upload token is not valid');
    if (record.revoked_at !== null) throw new UnauthenticatedError('the upload token has been revoked');
    if (Date.parse(record.expires_at) <= this.clock().getTime())
      throw new UnauthenticatedError('the upload token has expired');
    return { pcnCode: record.pcn_code, tokenId };
  }
}
