import { createHash } from 'node:crypto';
import { actionHashInput, type RemediationAction } from '@vigil/domain/remediation';
import { computeActionHash, sameActionHash } from './action-hash';
import { EXECUTION_QUEUE_NAME, ExecutionQueue } from './execution-queue';
import { executionJournalStreamId } from './execution-journal';
import { signWebhook, verifyWebhookSignature, webhookConfigFromEnv } from './webhook.executor';

const action: RemediationAction = { kind: 'k8s.scale', target: 'k8s:prod/api', params: { replicas: 6, reason: 'load' } };

describe('action hash', () => {
  it('is sha256 of actionHashInput(action, version), prefixed sha256:', () => {
    const hex = createHash('sha256').update(actionHashInput(action, 2)).digest('hex');
    expect(computeActionHash(action, 2)).toBe(`sha256:${hex}`);
  });

  it('ignores the order of params but not their values or the version', () => {
    const reordered: RemediationAction = { kind: 'k8s.scale', target: 'k8s:prod/api', params: { reason: 'load', replicas: 6 } };
    expect(computeActionHash(reordered, 2)).toBe(computeActionHash(action, 2));
    expect(computeActionHash({ ...action, params: { replicas: 7, reason: 'load' } }, 2)).not.toBe(computeActionHash(action, 2));
    expect(computeActionHash(action, 3)).not.toBe(computeActionHash(action, 2));
  });

  it('compares with or without the prefix, never equal to empty or missing', () => {
    const hash = computeActionHash(action, 1);
    expect(sameActionHash(hash, hash.slice('sha256:'.length).toUpperCase())).toBe(true);
    expect(sameActionHash(hash, computeActionHash(action, 2))).toBe(false);
    expect(sameActionHash('', '')).toBe(false);
    expect(sameActionHash(hash, null)).toBe(false);
  });
});

describe('webhook signature', () => {
  it('signs timestamp.body with HMAC-SHA256 and verifies in constant time', () => {
    const signature = signWebhook('s3cret', '1700000000', '{"a":1}');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret', '1700000000', '{"a":1}', signature)).toBe(true);
    expect(verifyWebhookSignature('s3cret', '1700000001', '{"a":1}', signature)).toBe(false);
    expect(verifyWebhookSignature('s3cret', '1700000000', '{"a":1}', undefined)).toBe(false);
    expect(verifyWebhookSignature('s3cret', '1700000000', '{"a":1}', 'sha256=00')).toBe(false);
  });

  it('reads its configuration from the environment', () => {
    expect(webhookConfigFromEnv({})).toBeUndefined();
    expect(() => webhookConfigFromEnv({ VIGIL_WEBHOOK_URL: 'https://hooks.example.com/x' })).toThrow(/VIGIL_WEBHOOK_SECRET/);
    expect(webhookConfigFromEnv({ VIGIL_WEBHOOK_URL: 'https://hooks.example.com/x', VIGIL_WEBHOOK_SECRET: 'k', VIGIL_WEBHOOK_KINDS: 'db.failover, ticket.create', VIGIL_WEBHOOK_TIMEOUT_MS: '5000' })).toEqual({
      url: 'https://hooks.example.com/x',
      secret: 'k',
      kinds: ['db.failover', 'ticket.create'],
      timeoutMs: 5000,
    });
  });
});

describe('queue and stream names', () => {
  it('declares attempts and exponential backoff on the jobs of vigil-executions', () => {
    expect(EXECUTION_QUEUE_NAME).toBe('vigil-executions');
    expect(ExecutionQueue.jobOptions()).toMatchObject({ attempts: 10, backoff: { type: 'exponential', delay: 1_000 } });
    expect(ExecutionQueue.jobOptions({ attempts: 3, backoffDelayMs: 50 })).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delay: 50 } });
  });

  it('keeps the journal in its own stream', () => {
    expect(executionJournalStreamId('e-1')).toBe('journal-execution-e-1');
  });
});
