/**
 * Sign-in tokens already verified, by their exact text, each until its own expiry: a dashboard sends the same token
 * with every request, and checking its signature again each time cost the local server about 150-200 µs a request
 * (jose's HS256 through WebCrypto), more than the rest of answering a kept answer. Only tokens that verified are kept:
 * a refused one is checked again every time. A token's claims cannot change without changing its text, and these
 * tokens are not revocable before they expire, so a kept verification says what a new one would, until `exp`.
 */
export interface VerifiedTokensOptions {
  /** Tokens kept at most; past it the longest kept is dropped first. @default 10000 */
  readonly maxEntries?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class VerifiedTokens<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly expiresAtMs: number }>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: VerifiedTokensOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * What the token verified as, kept while it has not expired; otherwise verify's answer, kept until the expiry it
   * gives (seconds since the epoch, a JWT's `exp`). What verify throws is thrown, and nothing is kept.
   */
  async verify(token: string, verify: (token: string) => Promise<{ value: T; expiresAt: number }>): Promise<T> {
    const kept = this.entries.get(token);
    if (kept !== undefined) {
      if (this.now() < kept.expiresAtMs) return kept.value;
      this.entries.delete(token);
    }
    const { value, expiresAt } = await verify(token);
    const expiresAtMs = expiresAt * 1000;
    if (Number.isFinite(expiresAtMs) && this.now() < expiresAtMs) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(token, { value, expiresAtMs });
    }
    return value;
  }
}
