import { ProposeRemediation } from '../commands';
import { meta, rollbackProposedWithContext, scaleProposed, spec, T0 } from '../spec-fixtures';

const proposeWith = (extra: Partial<ProposeRemediation['data']>): ProposeRemediation => ({
  type: 'ProposeRemediation',
  data: { proposalId: 'prop-1', action: scaleProposed.data.action, rationale: 'r', ...extra },
  metadata: meta('ai:investigator', T0),
});

describe('ProposeRemediation', () => {
  it('records the action, the rationale and the proposer from metadata at version 1', () => {
    spec.given([]).when({
      type: 'ProposeRemediation',
      data: {
        proposalId: 'prop-1',
        action: { kind: 'k8s.scale', target: 'k8s:prod/payments/deployment/api', params: { replicas: 6 } },
        rationale: 'p99 latency tripled while CPU is saturated',
        investigationId: 'inv-1',
        anomalyId: 'anom-1',
      },
      metadata: meta('ai:investigator', T0),
    }).then([scaleProposed]);
  });

  it('refuses a second proposal on the same stream with PROPOSAL.ALREADY_EXISTS', () => {
    spec.given([scaleProposed]).when({
      type: 'ProposeRemediation',
      data: { proposalId: 'prop-1', action: scaleProposed.data.action, rationale: 'again' },
      metadata: meta('alice'),
    }).thenThrows('PROPOSAL.ALREADY_EXISTS');
  });

  it('refuses an unknown action kind with PROPOSAL.INVALID_ACTION naming the field', () => {
    const error = spec.given([]).when({
      type: 'ProposeRemediation',
      // @ts-expect-error an action kind the platform cannot run
      data: { proposalId: 'prop-1', action: { kind: 'shell.exec', target: 'host', params: {} }, rationale: 'why not' },
      metadata: meta('alice'),
    }).thenThrows('PROPOSAL.INVALID_ACTION');
    expect((error as unknown as { details: { field: string } }).details.field).toBe('action.kind');
  });

  it('refuses a scale without a non-negative integer replica count', () => {
    spec.given([]).when({
      type: 'ProposeRemediation',
      data: { proposalId: 'prop-1', action: { kind: 'k8s.scale', target: 'api', params: { replicas: -1 } }, rationale: 'r' },
      metadata: meta('alice'),
    }).thenThrows('PROPOSAL.INVALID_ACTION');
  });

  it('refuses a proposal without a rationale', () => {
    spec.given([]).when({
      type: 'ProposeRemediation',
      data: { proposalId: 'prop-1', action: scaleProposed.data.action, rationale: ' ' },
      metadata: meta('alice'),
    }).thenThrows('PROPOSAL.INVALID_INPUT');
  });

  it('refuses a command whose metadata.now is not an instant (deciders take time only from metadata)', () => {
    spec.given([]).when({
      type: 'ProposeRemediation',
      data: { proposalId: 'prop-1', action: scaleProposed.data.action, rationale: 'r' },
      metadata: { actor: 'alice', now: 'now' },
    }).thenThrows('COMMAND.INVALID_METADATA');
  });

  it('records the risk context and the dry run the proposer measured, so the saga can weigh the blast radius', () => {
    const { proposalId, action, rationale, investigationId, anomalyId, riskContext, dryRun } = rollbackProposedWithContext.data;
    spec.given([]).when({
      type: 'ProposeRemediation',
      data: { proposalId, action, rationale, investigationId, anomalyId, riskContext, dryRun },
      metadata: meta('ai:investigator', T0),
    }).then([rollbackProposedWithContext]);
  });

  it.each([
    ['a traffic share above 1', { riskContext: { trafficShare: 1.5 } }, 'riskContext.trafficShare'],
    ['a negative replica count', { riskContext: { replicas: -2 } }, 'riskContext.replicas'],
    ['a fractional replica count', { riskContext: { replicas: 2.5 } }, 'riskContext.replicas'],
    ['an empty environment', { riskContext: { environment: ' ' } }, 'riskContext.environment'],
    ['dependents that are not names', { riskContext: { dependents: [''] } }, 'riskContext.dependents'],
    ['a dry run without its outcome', { dryRun: { summary: 'would sync' } as unknown as { ok: boolean } }, 'dryRun.ok'],
  ])('refuses %s with PROPOSAL.INVALID_INPUT naming the field', (_, extra, field) => {
    const error = spec.given([]).when(proposeWith(extra)).thenThrows('PROPOSAL.INVALID_INPUT');
    expect((error as unknown as { details: { field: string } }).details.field).toBe(field);
  });
});
