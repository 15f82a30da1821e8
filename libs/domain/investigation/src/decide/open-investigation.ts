import { OpenInvestigation } from '../commands';
import { InvestigationErrors } from '../errors';
import { InvestigationOpened } from '../events';
import { InvestigationState } from '../state';
import { requireText } from './guards';

export function openInvestigation(command: OpenInvestigation, state: InvestigationState): [InvestigationOpened] {
  const { investigationId, anomalyIds } = command.data;
  if (state.status !== 'Initial') {
    throw InvestigationErrors.raise('INVESTIGATION.ALREADY_EXISTS', `investigation ${investigationId} already exists`, { investigationId });
  }
  requireText(investigationId, 'investigationId');
  if (!Array.isArray(anomalyIds) || anomalyIds.length === 0) {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', 'an investigation looks into at least one anomaly', { field: 'anomalyIds' });
  }
  anomalyIds.forEach((id, index) => requireText(id, `anomalyIds[${index}]`));
  if (new Set(anomalyIds).size !== anomalyIds.length) {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', 'anomalyIds must be distinct', { field: 'anomalyIds' });
  }
  return [{ type: 'InvestigationOpened', data: { investigationId, anomalyIds, openedBy: command.metadata.actor, at: command.metadata.now } }];
}
