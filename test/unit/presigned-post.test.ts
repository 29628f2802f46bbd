import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { contentFields, LocalPresigner, S3Presigner } from '../../functions/upload/presigned-post.ts';

/** Both presigners bind a POST to the announced bytes with the same pinned fields (S3's POST policy rules). */
const body = 'event_id,event_type\nE1,contact\n';
const sha256 = createHash('sha256').update(body).digest('hex');
const md5 = createHash('md5').update(body).digest('base64');
const key = `landing/pcn=U00001/U00001-${sha256.slice(0, 32)}.csv`;
const pinned = {
  'Content-MD5': md5,
  'x-amz-checksum-algorithm': 'SHA256',
  'x-amz-checksum-sha256': createHash('sha256').update(body).digest('base64'),
};

describe('a presigned POST is bound to its content', () => {
  it('the content fields: Content-MD5 when given, the SHA-256 always', () => {
    expect(contentFields({ bytes: body.length, sha256, md5 })).toEqual(pinned);
    const { 'Content-MD5': _, ...withoutMd5 } = pinned;
    expect(contentFields({ bytes: body.length, sha256 })).toEqual(withoutMd5);
  });

  it('S3: every content field is a form field and an exact condition of the signed policy', async () => {
    const client = new S3Client({
      region: 'eu-west-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    });
    const post = await new S3Presigner(client, 'data').presign(key, { bytes: body.length, sha256, md5 }, 900);
    expect(post.fields).toMatchObject({ key, ...pinned });
    const policy = JSON.parse(Buffer.from(post.fields.Policy as string, 'base64').toString());
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', body.length, body.length],
        { 'Content-MD5': md5 },
        { 'x-amz-checksum-algorithm': 'SHA256' },
        { 'x-amz-checksum-sha256': pinned['x-amz-checksum-sha256'] },
        { key },
        { bucket: 'data' },
      ]),
    );
  });

  it('local: the same fields, and the form is refused when one is changed, missing or added', async () => {
    const presigner = new LocalPresigner();
    const { fields } = await presigner
      .postingTo('http://localhost:1/x')
      .presign(key, { bytes: body.length, sha256, md5 }, 60);
    expect(fields).toMatchObject({ key, ...pinned });
    expect(presigner.grant(fields)).toEqual({
      grant: { key, bytes: body.length, sha256Base64: pinned['x-amz-checksum-sha256'], md5 },
    });
    const { 'Content-MD5': _, ...missing } = fields;
    expect(presigner.grant(missing)).toEqual({
      refusal: 'Invalid according to Policy: Policy Condition failed: Content-MD5',
    });
    expect(presigner.grant({ ...fields, 'x-amz-checksum-sha256': 'AAAA' })).toEqual({
      refusal: 'Invalid according to Policy: Policy Condition failed: x-amz-checksum-sha256',
    });
    expect(presigner.grant({ ...fields, acl: 'public-read' })).toEqual({
      refusal: 'Invalid according to Policy: Extra input fields: acl',
    });
    // A field named after an Object.prototype property is as extra as any other (sec33: `in` let it through).
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(presigner.grant({ ...fields, [name]: 'x' })).toEqual({
        refusal: `Invalid according to Policy: Extra input fields: ${name}`,
      });
    }
    expect(presigner.grant({ ...fields, 'x-ignore-note': 'ok' })).toMatchObject({ grant: { key } });
  });
});
