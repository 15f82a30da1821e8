import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Notification, NotificationDeliveryError } from './notification';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature, WebhookChannel, webhookSignature } from './webhook-channel';

jest.setTimeout(30_000);

const notification: Notification = {
  key: 'saga:e-9:notify:level-1:0',
  channel: 'pagerduty',
  target: { role: 'team-lead', channel: 'pagerduty' },
  subject: 'Approval appr-1 escalated to level 1',
  message: 'needs team-lead',
  severity: 'warning',
  at: '2025-03-01T10:30:00.000Z',
  escalationId: 'esc-1',
  level: 1,
  refs: { approvalId: 'appr-1' },
};

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A local receiver: `answer` decides the response for each request. */
async function receiver(answer: (request: Received, response: ServerResponse) => void) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body };
      received.push(entry);
      answer(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/vigil`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('WebhookChannel', () => {
  it('POSTs the notification as JSON with a signature the receiver can verify', async () => {
    const hook = await receiver((_request, response) => response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'dlv-77' })));
    try {
      const delivery = await new WebhookChannel({ url: hook.url, secret: 's3cret', name: 'ops-hook' }).send(notification);
      expect(delivery).toEqual({ externalRef: 'ops-hook:dlv-77' });
      const [request] = hook.received;
      expect(JSON.parse(request.body)).toEqual({
        id: notification.key,
        channel: 'pagerduty',
        target: notification.target,
        severity: 'warning',
        subject: notification.subject,
        message: notification.message,
        at: notification.at,
        escalationId: 'esc-1',
        level: 1,
        refs: { approvalId: 'appr-1' },
      });
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers[DELIVERY_HEADER]).toBe(notification.key);
      const timestamp = request.headers[TIMESTAMP_HEADER] as string;
      expect(request.headers[SIGNATURE_HEADER]).toBe(webhookSignature('s3cret', timestamp, request.body));
      expect(verifyWebhookSignature('s3cret', { timestamp, signature: request.headers[SIGNATURE_HEADER] as string }, request.body)).toBe(true);
      expect(verifyWebhookSignature('other', { timestamp, signature: request.headers[SIGNATURE_HEADER] as string }, request.body)).toBe(false);
      expect(verifyWebhookSignature('s3cret', { timestamp, signature: request.headers[SIGNATURE_HEADER] as string }, `${request.body} `)).toBe(false);
    } finally {
      await hook.close();
    }
  });

  it('refuses a stale timestamp even with a valid signature', () => {
    const body = '{}';
    const signature = webhookSignature('s3cret', '1000', body);
    expect(verifyWebhookSignature('s3cret', { timestamp: '1000', signature }, body, { now: 1000 + 301 })).toBe(false);
    expect(verifyWebhookSignature('s3cret', { timestamp: '1000', signature }, body, { now: 1000 + 299 })).toBe(true);
  });

  it('uses the delivery key as the reference when the receiver answers without an id', async () => {
    const hook = await receiver((_request, response) => response.writeHead(204).end());
    try {
      await expect(new WebhookChannel({ url: hook.url, secret: 'k' }).send(notification)).resolves.toEqual({ externalRef: `webhook:${notification.key}` });
    } finally {
      await hook.close();
    }
  });

  it('turns a 5xx or 429 into a retryable error, and a 4xx into a final one', async () => {
    let status = 503;
    const hook = await receiver((_request, response) => response.writeHead(status).end('nope'));
    try {
      const channel = new WebhookChannel({ url: hook.url, secret: 'k' });
      await expect(channel.send(notification)).rejects.toMatchObject({ type: 'notification-delivery', status: 503, retryable: true, message: 'webhook answered 503: nope' });
      status = 429;
      await expect(channel.send(notification)).rejects.toMatchObject({ status: 429, retryable: true });
      status = 410;
      await expect(channel.send(notification)).rejects.toMatchObject({ status: 410, retryable: false });
    } finally {
      await hook.close();
    }
  });

  it('gives up after the timeout with a retryable error', async () => {
    const hook = await receiver(() => undefined);
    try {
      const error = await new WebhookChannel({ url: hook.url, secret: 'k', timeoutMs: 200 }).send(notification).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotificationDeliveryError);
      expect(error).toMatchObject({ retryable: true, message: 'no answer from the webhook within 200 ms' });
    } finally {
      hook.received.length = 0;
      await hook.close();
    }
  });

  it('reports an unreachable receiver as retryable', async () => {
    const hook = await receiver(() => undefined);
    await hook.close();
    await expect(new WebhookChannel({ url: hook.url, secret: 'k' }).send(notification)).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('webhook unreachable') });
  });

  it('refuses a configuration without a URL or a secret', () => {
    expect(() => new WebhookChannel({ url: 'not a url', secret: 'k' })).toThrow(TypeError);
    expect(() => new WebhookChannel({ url: 'http://127.0.0.1:1/', secret: '' })).toThrow(TypeError);
  });
});
