import { InvestigationErrors } from '../errors';
import { InvestigationState } from '../state';

export type StartedInvestigation = Exclude<InvestigationState, { status: 'Initial' }>;

export function requireStarted(state: InvestigationState, investigationId: string): StartedInvestigation {
  if (state.status === 'Initial') {
    throw InvestigationErrors.raise('INVESTIGATION.NOT_FOUND', `investigation ${investigationId} does not exist`, { investigationId });
  }
  return state;
}

export function requireOpen(state: InvestigationState, investigationId: string): Extract<InvestigationState, { status: 'Open' }> {
  const started = requireStarted(state, investigationId);
  if (started.status !== 'Open') {
    throw InvestigationErrors.raise('INVESTIGATION.CLOSED', `investigation ${investigationId} is concluded`, { investigationId });
  }
  return started;
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', `${field} must be a non-empty string`, { field });
  }
  return value;
}

export function requireUnitScore(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', `${field} must be a number between 0 and 1`, { field });
  }
  return value;
}
