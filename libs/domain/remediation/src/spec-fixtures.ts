import { CommandMetadata, deciderSpecification } from '@vigil/domain/shared';
import { remediationProposalDecider } from './decider';
import { RemediationProposed, RiskAssessed } from './events';

/** Shared givens for the proposal specs (not exported from the lib). */
export const spec = deciderSpecification(remediationProposalDecider);
export const T0 = '2025-03-01T10:00:00.000Z';
export const T1 = '2025-03-01T10:05:00.000Z';
export const meta = (actor: string, now = T1): CommandMetadata => ({ actor, now });

export const scaleProposed: RemediationProposed = {
  type: 'RemediationProposed',
  data: {
    proposalId: 'prop-1',
    action: { kind: 'k8s.scale', target: 'k8s:prod/payments/deployment/api', params: { replicas: 6 } },
    rationale: 'p99 latency tripled while CPU is saturated',
    investigationId: 'inv-1',
    anomalyId: 'anom-1',
    proposer: 'ai:investigator',
    version: 1,
    at: T0,
  },
};

export const assessedLow: RiskAssessed = {
  type: 'RiskAssessed',
  data: {
    proposalId: 'prop-1',
    version: 1,
    tier: 'low',
    factors: [{ name: 'action-tier', detail: 'k8s.scale is low' }],
    assessedBy: 'system:risk',
    at: T0,
  },
};

/** An AI proposal with the blast-radius facts and a dry run, as the investigation worker records it. */
export const rollbackProposedWithContext: RemediationProposed = {
  type: 'RemediationProposed',
  data: {
    proposalId: 'prop-1',
    action: { kind: 'argocd.rollback', target: 'argocd:payments-api', params: { revision: 'v1' } },
    rationale: 'v2 went live 4 minutes before the errors began',
    investigationId: 'inv-1',
    anomalyId: 'anom-1',
    proposer: 'ai:investigator',
    version: 1,
    riskContext: { environment: 'prod', service: 'payments-api', replicas: 6, trafficShare: 0.4, dependents: ['checkout', 'web'] },
    dryRun: { ok: true, summary: 'would sync payments-api to v1', details: { revision: 'v1' } },
    at: T0,
  },
};
