/** What changed in production, as a webhook (generic, ArgoCD, GitHub) reported it. */
export interface ChangeFacts {
  /** Unique per change at its source (ArgoCD app + revision + sync time, GitHub deployment status id…). */
  readonly changeId: string;
  readonly service: string;
  readonly environment: string;
  /** `deployment`, `rollback`, `config`, `feature-flag`, `scale`… */
  readonly kind: string;
  /** The revision live after the change (image tag, git sha, ArgoCD revision). */
  readonly revision: string;
  readonly previousRevision?: string;
  /** `webhook`, `argocd`, `github`. */
  readonly source: string;
  /** When the change took effect (ISO-8601), as the source says. */
  readonly at: string;
  readonly description?: string;
  readonly url?: string;
}

export type DeploymentObserved = { readonly type: 'DeploymentObserved'; readonly data: ChangeFacts & { readonly observedBy: string; readonly observedAt: string } };

export type ChangeEvent = DeploymentObserved;
