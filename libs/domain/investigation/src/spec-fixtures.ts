import { CommandMetadata, deciderSpecification } from '@vigil/domain/shared';
import { investigationDecider } from './decider';
import { FindingRecorded, InvestigationConcluded, InvestigationOpened } from './events';

export const spec = deciderSpecification(investigationDecider);
export const T0 = '2025-03-01T10:02:00.000Z';
export const T1 = '2025-03-01T10:04:00.000Z';
export const meta = (actor = 'ai:investigator', now = T1): CommandMetadata => ({ actor, now });

export const opened: InvestigationOpened = {
  type: 'InvestigationOpened',
  data: { investigationId: 'inv-1', anomalyIds: ['anom-1'], openedBy: 'system:saga', at: T0 },
};

export const deploymentFinding: FindingRecorded = {
  type: 'FindingRecorded',
  data: {
    investigationId: 'inv-1',
    findingId: 'f-deploy',
    kind: 'deployment',
    summary: 'payments-api v2.14.0 rolled out 3 minutes before the latency rise',
    evidence: { application: 'payments-api', revision: 'v2.14.0', syncedAt: '2025-03-01T09:57:00Z' },
    score: 0.9,
    recordedBy: 'ai:investigator',
    at: T0,
  },
};

export const concluded: InvestigationConcluded = {
  type: 'InvestigationConcluded',
  data: {
    investigationId: 'inv-1',
    hypotheses: [{ rank: 1, summary: 'bad deploy', confidence: 0.9, findingIds: ['f-deploy'] }],
    concludedBy: 'ai:investigator',
    at: T1,
  },
};
