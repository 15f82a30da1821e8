import { deciderSpecification } from '@vigil/domain/shared';
import { ChangeFacts, changeDecider, ObserveDeployment } from './index';

const spec = deciderSpecification(changeDecider);
const metadata = { now: '2026-11-21T10:00:05.000Z', actor: 'system:webhook:argocd' };
const change: ChangeFacts = {
  changeId: 'argocd:checkout:abc123:2026-11-21T10:00:00Z',
  service: 'checkout',
  environment: 'production',
  kind: 'deployment',
  revision: 'abc123',
  previousRevision: '9f8e7d',
  source: 'argocd',
  at: '2026-11-21T10:00:00.000Z',
};
const observe = (data: ChangeFacts): ObserveDeployment => ({ type: 'ObserveDeployment', data, metadata });
const observed = { type: 'DeploymentObserved' as const, data: { ...change, observedBy: metadata.actor, observedAt: metadata.now } };

describe('change aggregate', () => {
  it('records a reported deployment as DeploymentObserved with who reported it and when', () => {
    spec.given([]).when(observe(change)).then([observed]);
  });

  it('appends nothing when the same change is reported again (webhook redelivery)', () => {
    spec.given([observed]).when(observe(change)).then([]);
  });

  it('refuses a second report of the same change id with different facts', () => {
    spec.given([observed]).when(observe({ ...change, revision: 'other' })).thenThrows('CHANGE.CONFLICTING_REPORT');
  });

  it.each(['changeId', 'service', 'environment', 'kind', 'revision', 'source'] as const)('refuses a change without %s', (field) => {
    spec.given([]).when(observe({ ...change, [field]: '' })).thenThrows('CHANGE.INVALID_INPUT');
  });

  it('refuses a change whose time is not an instant', () => {
    spec.given([]).when(observe({ ...change, at: 'yesterday' })).thenThrows('CHANGE.INVALID_INPUT');
  });
});
