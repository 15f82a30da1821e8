/** The API's shapes as the console reads them (see the control plane's controllers). */

export type Tier = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type ApprovalStatus = 'pending' | 'granted' | 'rejected' | 'expired' | 'cancelled';
export const ROLES = ['responder', 'team-lead', 'sre', 'manager', 'vp-eng', 'auditor', 'admin'] as const;
/** Roles that may change anything; auditors only read. */
export const MUTATING_ROLES: readonly string[] = ['responder', 'team-lead', 'sre', 'manager', 'vp-eng', 'admin'];

export interface Me {
  readonly id: string;
  readonly roles: readonly string[];
  readonly email?: string;
  /** False when /api/me was not available and the roles are unknown. */
  readonly rolesKnown: boolean;
}

export interface Action {
  readonly kind: string;
  readonly target: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface Vote {
  readonly by: string;
  readonly roles: readonly string[];
  readonly decision: 'approve' | 'reject';
  readonly reason?: string;
  readonly at: string;
  readonly modifications?: Readonly<Record<string, unknown>>;
  readonly proposalVersion?: number;
  readonly actionHash?: string;
}

export interface Approval {
  readonly id: string;
  readonly proposalId: string;
  readonly proposalVersion: number;
  readonly tier: Tier;
  readonly requiredRoles: readonly (readonly string[])[];
  readonly votes: readonly Vote[];
  readonly refusedAttempts?: number | readonly unknown[];
  readonly deadline: string | null;
  readonly escalationLevel: number | null;
  readonly actionHash: string;
  readonly action: Action | null;
  readonly status: ApprovalStatus;
  readonly proposer: string;
  readonly anomalyId?: string | null;
  readonly investigationId?: string | null;
  readonly rationale?: string | null;
  readonly dryRun?: { readonly ok: boolean; readonly summary?: string } | null;
  readonly requestedAt?: string | null;
  readonly decidedAt?: string | null;
}

export interface StoredEvent {
  readonly position: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: { readonly actor?: string; readonly correlationId?: string; readonly recordedAt?: string } & Record<string, unknown>;
  readonly recordedAt: string;
  readonly hash: string;
}

export interface StreamSnapshot {
  readonly streamId: string;
  readonly aggregate?: string;
  readonly asOf: string | null;
  readonly version: number;
  readonly state: unknown;
  readonly events: readonly StoredEvent[];
}

export interface TimelineEntry {
  readonly position?: string;
  readonly seq?: number | string;
  readonly at: string | null;
  readonly kind: string;
  readonly type?: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly actor?: string;
  readonly summary: string;
  readonly detail?: Record<string, unknown>;
}

export interface Incident {
  readonly anomalyId: string;
  readonly service: string;
  readonly operation: string;
  readonly signal: string;
  readonly severity: string;
  readonly status: string;
  readonly occurrences?: number;
  readonly openedAt?: string | null;
  readonly resolvedAt?: string | null;
  readonly resolution?: string | null;
  /** The anomaly leading the incident this one was grouped into, if any. */
  readonly leadAnomalyId?: string | null;
}

export interface IncidentTimeline {
  readonly incident: Incident | null;
  readonly entries: readonly TimelineEntry[];
  /** The anomalies grouped into this incident (this anomaly leads them). */
  readonly grouped?: readonly Incident[];
}

export interface Execution {
  readonly id: string;
  readonly proposalId: string;
  readonly approvalId?: string | null;
  readonly action?: Action;
  readonly status: string;
  readonly attempt?: number;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly [key: string]: unknown;
}

export interface VerifyReport {
  readonly intact: boolean;
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly checkpointsChecked: number;
  readonly unsealedEvents: number;
  readonly lastCheckpoint: { readonly seq: number; readonly toPosition: string; readonly sealedAt: string; readonly keyId: string; readonly hash: string } | null;
  readonly firstBadPosition?: string | null;
  readonly firstBadCheckpoint?: number | null;
  readonly failures: readonly unknown[];
}

export interface Assessment {
  readonly tier: Tier;
  readonly factors: readonly { readonly name: string; readonly detail?: string }[];
  readonly approvers?: readonly (readonly string[])[];
}
