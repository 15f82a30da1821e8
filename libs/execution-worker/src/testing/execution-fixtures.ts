import { randomUUID } from 'node:crypto';
import type { CommandBus } from '@vigil/application';
import { DEFAULT_APPROVAL_POLICY, type RoleRequirement } from '@vigil/domain/approval';
import { TERMINAL_STATUSES, type ExecutionState } from '@vigil/domain/execution';
import type { RemediationAction, RiskTier } from '@vigil/domain/remediation';
import type { EventStore, RecordedEvent } from '@vigil/event-store';
import { computeActionHash } from '../action-hash';

export const PROPOSER = 'ai:investigator';

export interface SeedExecution {
  readonly action: RemediationAction;
  /** Approvers and the roles they vote with, one per requirement; none for an auto-approved execution. */
  readonly approvers?: readonly { readonly by: string; readonly roles: readonly string[] }[];
  /** Default: the tier DEFAULT_APPROVAL_POLICY gives the action kind. */
  readonly tier?: RiskTier;
  /** Default: the tier's approver requirements. */
  readonly requiredRoles?: readonly RoleRequirement[];
  readonly maxAttempts?: number;
  /** Overrides what the execution carries (to play a tampered request). */
  readonly executionAction?: RemediationAction;
  readonly executionActionHash?: string;
  /** Request the execution with no approval (auto-approved tiers). */
  readonly withoutApproval?: boolean;
}

export interface SeededExecution {
  readonly executionId: string;
  readonly proposalId: string;
  readonly approvalId: string | null;
  readonly actionHash: string;
}

const nowIso = (): string => new Date().toISOString();
const meta = (actor: string) => ({ now: nowIso(), actor });

/** Proposal (assessed) → approval (granted by `approvers`) → execution requested, through the command bus. */
export async function seedExecution(bus: CommandBus, seed: SeedExecution): Promise<SeededExecution> {
  const proposalId = randomUUID();
  const executionId = randomUUID();
  const tier = seed.tier ?? DEFAULT_APPROVAL_POLICY.actionTiers[seed.action.kind];
  await bus.send('proposal', proposalId, {
    type: 'ProposeRemediation',
    data: { proposalId, action: seed.action, rationale: 'error rate doubled after the last deploy' },
    metadata: meta(PROPOSER),
  });
  await bus.send('proposal', proposalId, { type: 'AssessRisk', data: { proposalId, version: 1, tier, factors: [{ name: 'action-tier' }] }, metadata: meta('system:risk') });
  const actionHash = computeActionHash(seed.action, 1);

  let approvalId: string | null = null;
  if (!seed.withoutApproval) {
    approvalId = randomUUID();
    const tierPolicy = DEFAULT_APPROVAL_POLICY.tiers[tier];
    const requiredRoles = seed.requiredRoles ?? (tierPolicy.autoApprove ? [['responder']] : tierPolicy.approvers);
    await bus.send('approval', approvalId, {
      type: 'RequestApproval',
      data: {
        approvalId,
        proposalId,
        proposalVersion: 1,
        actionHash,
        tier,
        requiredRoles,
        proposer: PROPOSER,
        deadline: new Date(Date.now() + 30 * 60_000).toISOString(),
      },
      metadata: meta('system:saga'),
    });
    for (const approver of seed.approvers ?? []) {
      await bus.send('approval', approvalId, {
        type: 'CastVote',
        data: { approvalId, roles: approver.roles, decision: 'approve', proposalVersion: 1, actionHash },
        metadata: meta(approver.by),
      });
    }
  }

  await bus.send('execution', executionId, {
    type: 'RequestExecution',
    data: {
      executionId,
      proposalId,
      approvalId,
      action: seed.executionAction ?? seed.action,
      actionHash: seed.executionActionHash ?? actionHash,
      idempotencyKey: `exec-${executionId}`,
      maxAttempts: seed.maxAttempts ?? 3,
    },
    metadata: meta('system:saga'),
  });
  return { executionId, proposalId, approvalId, actionHash };
}

export async function executionEvents(store: EventStore, executionId: string): Promise<RecordedEvent[]> {
  return store.readStream(`execution-${executionId}`);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Resolves with the terminal state of the execution. */
export function waitForTerminal(bus: CommandBus, executionId: string, timeoutMs = 20_000): Promise<ExecutionState> {
  return waitFor(
    `execution ${executionId} to end`,
    async () => {
      const { state } = await bus.load('execution', executionId);
      return TERMINAL_STATUSES.includes(state.status) ? state : undefined;
    },
    timeoutMs,
  );
}
