import { isJsonObject } from '@vigil/domain/shared';
import { RecordFinding } from '../commands';
import { InvestigationErrors } from '../errors';
import { FINDING_KINDS, FindingRecorded } from '../events';
import { InvestigationState } from '../state';
import { requireOpen, requireText, requireUnitScore } from './guards';

export function recordFinding(command: RecordFinding, state: InvestigationState): FindingRecorded[] {
  const { investigationId, findingId, kind, summary, evidence, score } = command.data;
  const open = requireOpen(state, investigationId);
  requireText(findingId, 'findingId');
  if (open.investigation.findings.some((finding) => finding.findingId === findingId)) return [];
  if (!FINDING_KINDS.includes(kind)) {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', `kind must be one of ${FINDING_KINDS.join(', ')}`, { field: 'kind' });
  }
  requireText(summary, 'summary');
  if (!isJsonObject(evidence)) throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', 'evidence must be a JSON object', { field: 'evidence' });
  requireUnitScore(score, 'score');
  return [
    {
      type: 'FindingRecorded',
      data: { investigationId, findingId, kind, summary, evidence, score, recordedBy: command.metadata.actor, at: command.metadata.now },
    },
  ];
}
