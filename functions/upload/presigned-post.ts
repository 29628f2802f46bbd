import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';

/** An HTML-form style upload the client sends as multipart/form-data: the fields first, then the file. */
export interface PresignedPost {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Grants one upload of exactly `bytes` bytes to exactly `key`, for a short time. */
export interface Presigner {
  presign(key: string, bytes: number, expiresInSeconds: number): Promise<PresignedPost>;
}

/** In AWS: S3's own presigned POST; S3 enforces the key and the content-length-range. */
export class S3Presigner implements Presigner {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  presign(key: string, bytes: number, expiresInSeconds: number): Promise<PresignedPost> {
    return createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: key,
      Conditions: [['content-length-range', bytes, bytes]],
      Expires: expiresInSeconds,
    });
  }
}

interface LocalPolicy {
  readonly key: string;
  readonly bytes: number;
  readonly expires: number;
}

/**
 * The local stack's stand-in for S3's presigned POST, with the same rules: a policy naming one key and one size,
 * signed with a per-process secret, checked by the local server before it stores anything.
 */
export class LocalPresigner {
  private readonly secret = randomBytes(32);

  constructor(private readonly clock: () => Date = () => new Date()) {}

  private sign(policy: string): string {
    return createHmac('sha256', this.secret).update(policy).digest('base64url');
  }

  /** A Presigner whose forms post to this address of the local server (as the client reached it, e.g. via a proxy). */
  postingTo(url: string): Presigner {
    return {
      presign: async (key, bytes, expiresInSeconds) => {
        const policy: LocalPolicy = { key, bytes, expires: this.clock().getTime() + expiresInSeconds * 1000 };
        const encoded = Buffer.from(JSON.stringify(policy)).toString('base64url');
        return { url, fields: { key, policy: encoded, signature: this.sign(encoded) } };
      },
    };
  }

  /** The reason the form's fields do not allow this upload, or null when they do (as S3 would check them). */
  refusal(fields: Readonly<Record<string, string>>, fileBytes: number): string | null {
    const { key, policy, signature } = fields;
    if (!key || !policy || !signature) return 'the form needs key, policy and signature fields';
    const expected = Buffer.from(this.sign(policy));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'the policy signature is wrong';
    const granted = JSON.parse(Buffer.from(policy, 'base64url').toString('utf8')) as LocalPolicy;
    if (granted.expires <= this.clock().getTime()) return 'the policy has expired';
    if (granted.key !== key) return 'the key is not the one the policy grants';
    if (fileBytes !== granted.bytes) return 'the file size is outside the policy content-length-range';
    return null;
  }
}
