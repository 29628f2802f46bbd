import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';

/** An HTML-form style upload the client sends as multipart/form-data: the fields first, then the file. */
export interface PresignedPost {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The one file a presigned POST may carry: its size and digests, as the uploader announced them. */
export interface AnnouncedContent {
  readonly bytes: number;
  /** SHA-256, 64 lower-case hex digits. */
  readonly sha256: string;
  /** MD5, base64 (the Content-MD5 form), when the uploader gave it. */
  readonly md5?: string;
}

/** Grants one upload of exactly the announced content to exactly `key`, for a short time. */
export interface Presigner {
  presign(key: string, content: AnnouncedContent, expiresInSeconds: number): Promise<PresignedPost>;
}

/** S3's x-amz-checksum-sha256 is the base64 of the digest's bytes. */
export const sha256Base64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/**
 * The form fields that bind a POST to its content, each pinned by an exact-match policy condition.
 * - S3 POST Object: "To ensure that data is not corrupted while traversing the network, use the Content-MD5 form
 *   field. When you use this form field, Amazon S3 checks the object against the provided MD5 value. If they do not
 *   match, Amazon S3 returns an error." (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html)
 * - POST policy: "Each form field that you specify in a form (except x-amz-signature, file, policy, and field names
 *   that have an x-ignore- prefix) must appear in the list of conditions", and `x-amz-*` fields take exact matching
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html): a field pinned by the
 *   signed policy cannot be changed without breaking the signature.
 * - x-amz-checksum-algorithm SHA256 with x-amz-checksum-sha256, as minio-go's PostPolicy.SetChecksum pins them, so
 *   S3 checks the full-object SHA-256 too (the announced digest, which also names the upload).
 * The ingest checks the SHA-256 again (ingest.ts), so a store that ignored a field would still not keep other bytes.
 */
export function contentFields(content: AnnouncedContent): Record<string, string> {
  return {
    ...(content.md5 ? { 'Content-MD5': content.md5 } : {}),
    'x-amz-checksum-algorithm': 'SHA256',
    'x-amz-checksum-sha256': sha256Base64(content.sha256),
  };
}

/** In AWS: S3's own presigned POST; S3 enforces the key, the content-length-range and the content fields. */
export class S3Presigner implements Presigner {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  presign(key: string, content: AnnouncedContent, expiresInSeconds: number): Promise<PresignedPost> {
    const fields = contentFields(content);
    return createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: key,
      // @aws-sdk/s3-presigned-post: "If you include a condition, you must specify the valid value in the Fields
      // parameter as well" (https://www.npmjs.com/package/@aws-sdk/s3-presigned-post).
      Conditions: [
        ['content-length-range', content.bytes, content.bytes],
        ...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
      ],
      Fields: fields,
      Expires: expiresInSeconds,
    });
  }
}

interface LocalPolicy {
  readonly key: string;
  readonly bytes: number;
  readonly expires: number;
  /** The content fields the form must carry, exactly. */
  readonly fields: Readonly<Record<string, string>>;
}

/** What the local stand-in lets a form's file be: checked while the file streams in, before anything is kept. */
export interface LocalGrant {
  readonly key: string;
  readonly bytes: number;
  readonly sha256Base64: string;
  readonly md5: string | undefined;
}

/**
 * The local stack's stand-in for S3's presigned POST, with the same rules: a policy naming one key, one size and
 * the content's digests, signed with a per-process secret, checked by the local server before it stores anything.
 */
export class LocalPresigner {
  private readonly secret = randomBytes(32);

  constructor(private readonly clock: () => Date = () => new Date()) {}

  private sign(policy: string): string {
    return createHmac('sha256', this.secret).update(policy).digest('base64url');
  }

  /** A Presigner whose forms post to this address of the local server. */
  postingTo(url: string): Presigner {
    return {
      presign: async (key, content, expiresInSeconds) => {
        const fields = contentFields(content);
        const policy: LocalPolicy = {
          key,
          bytes: content.bytes,
          expires: this.clock().getTime() + expiresInSeconds * 1000,
          fields,
        };
        const encoded = Buffer.from(JSON.stringify(policy)).toString('base64url');
        return { url, fields: { key, ...fields, policy: encoded, signature: this.sign(encoded) } };
      },
    };
  }

  /**
   * The form's text fields (everything before the file) checked as S3 would check them: the grant the file must
   * then match, or the reason for refusing it before a byte of the file is read.
   */
  grant(fields: Readonly<Record<string, string>>): { grant: LocalGrant } | { refusal: string } {
    const { key, policy, signature } = fields;
    if (!key || !policy || !signature) return { refusal: 'the form needs key, policy and signature fields' };
    const expected = Buffer.from(this.sign(policy));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { refusal: 'the policy signature is wrong' };
    const granted = JSON.parse(Buffer.from(policy, 'base64url').toString('utf8')) as LocalPolicy;
    if (granted.expires <= this.clock().getTime()) return { refusal: 'the policy has expired' };
    if (granted.key !== key) return { refusal: 'the key is not the one the policy grants' };
    for (const name of Object.keys(fields)) {
      if (['key', 'policy', 'signature'].includes(name) || name.startsWith('x-ignore-')) continue;
      if (!Object.hasOwn(granted.fields, name))
        return { refusal: `Invalid according to Policy: Extra input fields: ${name}` };
    }
    for (const [name, value] of Object.entries(granted.fields)) {
      if (fields[name] !== value) return { refusal: `Invalid according to Policy: Policy Condition failed: ${name}` };
    }
    return {
      grant: {
        key,
        bytes: granted.bytes,
        sha256Base64: granted.fields['x-amz-checksum-sha256'] as string,
        md5: granted.fields['Content-MD5'],
      },
    };
  }
}
