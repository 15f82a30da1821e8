import { ActionExecutor, ExecutorRegistry, NotConfiguredExecutor } from '@vigil/executors';
import { WebhookExecutor, webhookConfigFromEnv } from '@vigil/execution-worker';
import { argoCdConfigFromEnv, createArgoCdExecutor } from '@vigil/integrations/argocd';
import { createKubernetesExecutor, kubernetesConnectionFromEnv } from '@vigil/integrations/kubernetes';

const K8S_KINDS = ['k8s.scale', 'k8s.rollout-restart', 'k8s.rollback', 'k8s.cordon-node', 'k8s.uncordon-node', 'k8s.drain-node'];

/** One executor per platform from the environment; unconfigured platforms fail clearly instead of silently. */
export function executorsFromEnv(env: NodeJS.ProcessEnv = process.env): { registry: ExecutorRegistry; configured: string[] } {
  const executors: ActionExecutor[] = [];
  const configured: string[] = [];
  const argo = argoCdConfigFromEnv(env);
  if (argo) {
    executors.push(createArgoCdExecutor(argo));
    configured.push(`ArgoCD at ${argo.baseUrl}`);
  } else {
    executors.push(new NotConfiguredExecutor(['argocd.rollback'], 'ArgoCD', 'set ARGOCD_URL and ARGOCD_TOKEN'));
  }
  const kube = kubernetesConnectionFromEnv(env);
  if (kube) {
    executors.push(createKubernetesExecutor({ connection: kube }));
    configured.push(`Kubernetes (${kube.type})`);
  } else {
    executors.push(new NotConfiguredExecutor(K8S_KINDS, 'Kubernetes', 'set KUBECONFIG, or KUBERNETES_API_URL and KUBERNETES_TOKEN, or run in a cluster'));
  }
  const webhook = webhookConfigFromEnv(env);
  if (webhook) {
    executors.push(new WebhookExecutor(webhook));
    configured.push(`webhook executor at ${webhook.url}`);
  } else {
    executors.push(new NotConfiguredExecutor(['db.failover', 'region.failover'], 'The webhook executor', 'set VIGIL_WEBHOOK_URL and VIGIL_WEBHOOK_SECRET'));
  }
  return { registry: new ExecutorRegistry(executors), configured };
}
