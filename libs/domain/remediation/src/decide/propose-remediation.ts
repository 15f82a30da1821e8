import { isJsonObject } from '@vigil/domain/shared';
import { ProposeRemediation } from '../commands';
import { validateAction } from '../actions';
import { ProposalErrors } from '../errors';
import { DryRunOutcome, ProposalRiskContext, RemediationProposed } from '../events';
import { RemediationProposalState } from '../state';
import { requireText } from './guards';

export function proposeRemediation(command: ProposeRemediation, state: RemediationProposalState): [RemediationProposed] {
  const { proposalId, action, rationale, investigationId, anomalyId, riskContext, dryRun } = command.data;
  if (state.status !== 'Initial') {
    throw ProposalErrors.raise('PROPOSAL.ALREADY_EXISTS', `proposal ${proposalId} already exists`, { proposalId });
  }
  requireText(proposalId, 'proposalId');
  requireText(rationale, 'rationale');
  const problems = validateAction(action);
  if (problems.length > 0) {
    throw ProposalErrors.raise('PROPOSAL.INVALID_ACTION', problems.map((p) => `${p.field} ${p.message}`).join('; '), {
      field: problems[0].field,
      problems,
    });
  }
  if (riskContext !== undefined) requireRiskContext(riskContext);
  if (dryRun !== undefined) requireDryRun(dryRun);
  return [
    {
      type: 'RemediationProposed',
      data: {
        proposalId,
        action: { kind: action.kind, target: action.target, params: action.params },
        rationale,
        investigationId,
        anomalyId,
        proposer: command.metadata.actor,
        version: 1,
        ...(riskContext !== undefined ? { riskContext } : {}),
        ...(dryRun !== undefined ? { dryRun } : {}),
        at: command.metadata.now,
      },
    },
  ];
}

/** The assessor raises tiers on these numbers, so nonsense must not reach it. */
function requireRiskContext(context: ProposalRiskContext): void {
  const invalid = (field: string, message: string) => ProposalErrors.raise('PROPOSAL.INVALID_INPUT', `riskContext.${field} ${message}`, { field: `riskContext.${field}` });
  if (typeof context !== 'object' || context === null) throw invalid('', 'must be an object');
  const { environment, service, replicas, trafficShare, dependents } = context;
  if (environment !== undefined && (typeof environment !== 'string' || environment.trim() === '')) throw invalid('environment', 'must be a non-empty string');
  if (service !== undefined && (typeof service !== 'string' || service.trim() === '')) throw invalid('service', 'must be a non-empty string');
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0)) throw invalid('replicas', 'must be a non-negative integer');
  if (trafficShare !== undefined && !(typeof trafficShare === 'number' && trafficShare >= 0 && trafficShare <= 1)) throw invalid('trafficShare', 'must be between 0 and 1');
  if (dependents !== undefined && !(Array.isArray(dependents) && dependents.every((name) => typeof name === 'string' && name !== ''))) {
    throw invalid('dependents', 'must be a list of service names');
  }
}

function requireDryRun(dryRun: DryRunOutcome): void {
  const invalid = (field: string, message: string) => ProposalErrors.raise('PROPOSAL.INVALID_INPUT', `dryRun.${field} ${message}`, { field: `dryRun.${field}` });
  if (typeof dryRun !== 'object' || dryRun === null || typeof dryRun.ok !== 'boolean') throw invalid('ok', 'must be a boolean');
  if (dryRun.summary !== undefined && typeof dryRun.summary !== 'string') throw invalid('summary', 'must be a string');
  if (dryRun.details !== undefined && !isJsonObject(dryRun.details)) throw invalid('details', 'must be a JSON object');
}
