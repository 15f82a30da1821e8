/**
 * The subset of ArgoCD's `Application` (argoproj.io/v1alpha1) this adapter reads, as served by the API server's
 * grpc-gateway (`GET /api/v1/applications/{name}`). Field names follow the CRD's JSON tags
 * (pkg/apis/application/v1alpha1/types.go: RevisionHistory, OperationState, SyncStatus, HealthStatus).
 */
export interface ArgoCdApplicationSource {
  readonly repoURL?: string;
  readonly path?: string;
  readonly chart?: string;
  readonly targetRevision?: string;
  readonly [field: string]: unknown;
}

/** One entry of `status.history`: ArgoCD appends one per completed sync; `id` grows by one each time. */
export interface ArgoCdRevisionHistory {
  readonly id: number;
  readonly revision: string;
  readonly deployedAt?: string;
  readonly deployStartedAt?: string;
  readonly source?: ArgoCdApplicationSource;
  readonly initiatedBy?: { readonly username?: string; readonly automated?: boolean };
}

export interface ArgoCdSyncOperation {
  readonly revision?: string;
  readonly prune?: boolean;
  readonly dryRun?: boolean;
  readonly source?: ArgoCdApplicationSource;
}

export interface ArgoCdOperation {
  readonly sync?: ArgoCdSyncOperation;
  readonly initiatedBy?: { readonly username?: string; readonly automated?: boolean };
}

export type ArgoCdOperationPhase = 'Running' | 'Terminating' | 'Failed' | 'Error' | 'Succeeded';

export interface ArgoCdOperationState {
  readonly operation: ArgoCdOperation;
  readonly phase: ArgoCdOperationPhase;
  readonly message?: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly syncResult?: { readonly revision?: string; readonly source?: ArgoCdApplicationSource };
}

export type ArgoCdSyncStatusCode = 'Synced' | 'OutOfSync' | 'Unknown';
export type ArgoCdHealthStatusCode = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

export interface ArgoCdApplication {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly resourceVersion?: string };
  readonly spec: {
    readonly project?: string;
    readonly source?: ArgoCdApplicationSource;
    readonly destination?: { readonly server?: string; readonly namespace?: string; readonly name?: string };
    readonly syncPolicy?: { readonly automated?: Readonly<Record<string, unknown>> | null };
  };
  /** Set by the API server when an operation is requested; cleared by the controller when it completes. */
  readonly operation?: ArgoCdOperation | null;
  readonly status?: {
    readonly history?: readonly ArgoCdRevisionHistory[];
    readonly sync?: { readonly status?: ArgoCdSyncStatusCode | string; readonly revision?: string };
    readonly health?: { readonly status?: ArgoCdHealthStatusCode | string; readonly message?: string };
    readonly operationState?: ArgoCdOperationState | null;
  };
}

/** ApplicationService.Rollback request (server/application/application.proto: ApplicationRollbackRequest). */
export interface ArgoCdRollbackRequest {
  readonly name: string;
  readonly id: number;
  readonly prune: boolean;
  readonly dryRun: boolean;
  readonly appNamespace?: string;
}
