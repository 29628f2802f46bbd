import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Amazon SNS's Publish on loopback, as the AWS SDK calls it (the Query protocol: a form-encoded POST
 * with Action=Publish, answered in XML), enforcing the documented rules the refresh's regional alerts depend on.
 */
export const SNS_RULE_SOURCES = {
  publish: 'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html',
  errors: 'https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html',
} as const;

/** Publish, Message: "UTF-8 encoded strings and at most 256 KB in size (262,144 bytes, not 262,144 characters)". */
export const MAX_MESSAGE_BYTES = 262_144;
/** Publish, Subject: ASCII text, no line breaks or control characters, "less than 100 characters long". */
export const MAX_SUBJECT_CHARS = 99;

export interface Published {
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
}

export class SnsStandIn {
  /** Every message accepted, in order. */
  readonly published: Published[] = [];
  /** Every Publish refused, with SNS's error code. */
  readonly refused: { code: string; message: string }[] = [];
  private server: Server | undefined;
  endpoint = '';

  constructor(private readonly topics: readonly string[]) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const answer = this.answer(form);
        res.writeHead(answer.status, { 'content-type': 'text/xml' });
        res.end(answer.xml);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private answer(form: URLSearchParams): { status: number; xml: string } {
    const requestId = randomUUID();
    // Error shape and codes: SNS_RULE_SOURCES.errors and the Errors section of SNS_RULE_SOURCES.publish.
    const refuse = (status: number, code: string, message: string) => {
      this.refused.push({ code, message });
      return {
        status,
        xml: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    };
    if (form.get('Action') !== 'Publish') return refuse(400, 'InvalidAction', 'only Publish is stood in for');
    const topic = form.get('TopicArn') ?? '';
    if (!this.topics.includes(topic)) return refuse(404, 'NotFound', 'Topic does not exist');
    const message = form.get('Message');
    if (message === null || message.length === 0)
      return refuse(400, 'InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES)
      return refuse(400, 'InvalidParameter', 'Invalid parameter: Message too long');
    const subject = form.get('Subject');
    // Printable ASCII only: no line breaks or other control characters.
    if (subject !== null && (subject.length > MAX_SUBJECT_CHARS || /[^\x20-\x7e]/.test(subject)))
      return refuse(400, 'InvalidParameter', 'Invalid parameter: Subject');
    this.published.push({ TopicArn: topic, Message: message, ...(subject === null ? {} : { Subject: subject }) });
    return {
      status: 200,
      xml: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  }
}
