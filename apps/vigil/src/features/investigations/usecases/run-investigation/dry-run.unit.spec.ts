import { RemediationAction } from '@vigil/domain/remediation';
import { ActionExecutor, ExecutorRegistry, NotConfiguredExecutor } from '@vigil/executors';
import { dryRunWith } from './dry-run';

const rollback: RemediationAction = { kind: 'argocd.rollback', target: 'argocd:payments', params: { revision: 'v1' } };
const executor = (dryRun: ActionExecutor['dryRun']): ActionExecutor => ({ kinds: ['argocd.rollback'], dryRun, execute: async () => ({ status: 'failed', error: 'no', code: 'NO', retryable: false }) });

describe('dry run of a proposed action through the executors', () => {
  it('attaches what a supporting executor says would change, with its details as JSON', async () => {
    const registry = new ExecutorRegistry([executor(async () => ({ supported: true, summary: 'would roll payments back to v1', details: { from: 'v2', to: 'v1' } }))]);
    expect(await dryRunWith(registry)(rollback)).toEqual({ ok: true, summary: 'would roll payments back to v1', details: { from: 'v2', to: 'v1' } });
  });

  it('attaches nothing when the platform is not configured or no executor takes the kind', async () => {
    expect(await dryRunWith(new ExecutorRegistry([new NotConfiguredExecutor(['argocd.rollback'], 'ArgoCD', 'set ARGOCD_URL')]))(rollback)).toBeUndefined();
    expect(await dryRunWith(new ExecutorRegistry([]))(rollback)).toBeUndefined();
  });

  it('records a dry run that throws as failed, with the reason, so the approver sees it', async () => {
    const registry = new ExecutorRegistry([executor(async () => { throw new Error('application payments not found'); })]);
    expect(await dryRunWith(registry)(rollback)).toEqual({ ok: false, summary: 'application payments not found' });
  });
});
