import { assertCommandMetadata, assertNever, parseInstant } from '@vigil/domain/shared';
import { ChangeCommand, ObserveDeployment } from './commands';
import { ChangeErrors } from './errors';
import { ChangeFacts, ChangeEvent } from './events';
import { ChangeState } from './state';

export function decide(command: ChangeCommand, state: ChangeState): ChangeEvent[] {
  assertCommandMetadata(command.metadata);
  switch (command.type) {
    case 'ObserveDeployment':
      return observeDeployment(command, state);
    default:
      return assertNever(command.type, 'change command');
  }
}

const REQUIRED = ['changeId', 'service', 'environment', 'kind', 'revision', 'source'] as const;

function observeDeployment(command: ObserveDeployment, state: ChangeState): ChangeEvent[] {
  const change = command.data;
  for (const field of REQUIRED) {
    const value = change[field];
    if (typeof value !== 'string' || value.trim() === '' || value.length > 512) {
      throw ChangeErrors.raise('CHANGE.INVALID_INPUT', `${field} must be a non-empty string of at most 512 characters`, { field });
    }
  }
  if (parseInstant(change.at) === undefined) throw ChangeErrors.raise('CHANGE.INVALID_INPUT', 'at must be an ISO-8601 instant', { field: 'at' });
  if (state.status === 'Observed') {
    // A redelivery is fine; the same id reporting a different change is a bug at the source worth refusing.
    if (sameChange(state.change, change)) return [];
    throw ChangeErrors.raise('CHANGE.CONFLICTING_REPORT', `change ${change.changeId} was already reported with other facts`, { changeId: change.changeId });
  }
  return [{ type: 'DeploymentObserved', data: { ...change, observedBy: command.metadata.actor, observedAt: command.metadata.now } }];
}

function sameChange(a: ChangeFacts, b: ChangeFacts): boolean {
  return a.service === b.service && a.environment === b.environment && a.revision === b.revision && a.kind === b.kind && a.at === b.at;
}
