import { validateAction } from '@vigil/domain/remediation';
import { ConcludeInvestigation } from '../commands';
import { InvestigationErrors } from '../errors';
import { IncidentGrouping, InvestigationConcluded, RankedHypothesis } from '../events';
import { InvestigationState } from '../state';
import { requireOpen, requireText, requireUnitScore } from './guards';

/** Ranks the hypotheses by confidence, highest first (ties keep their order), and closes the investigation. */
export function concludeInvestigation(command: ConcludeInvestigation, state: InvestigationState): [InvestigationConcluded] {
  const { investigationId, hypotheses, incident } = command.data;
  const open = requireOpen(state, investigationId);
  if (!Array.isArray(hypotheses) || hypotheses.length === 0) {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', 'a conclusion needs at least one hypothesis', { field: 'hypotheses' });
  }
  const known = new Set(open.investigation.findings.map((finding) => finding.findingId));
  hypotheses.forEach((hypothesis, index) => {
    requireText(hypothesis.summary, `hypotheses[${index}].summary`);
    requireUnitScore(hypothesis.confidence, `hypotheses[${index}].confidence`);
    const cited: readonly string[] = hypothesis.findingIds ?? [];
    const unknown = cited.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw InvestigationErrors.raise('INVESTIGATION.UNKNOWN_FINDING', `hypothesis ${index} cites findings not recorded: ${unknown.join(', ')}`, {
        field: `hypotheses[${index}].findingIds`,
        unknown,
      });
    }
    if (hypothesis.suggestedAction !== undefined && validateAction(hypothesis.suggestedAction).length > 0) {
      throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', `hypothesis ${index} suggests an invalid action`, {
        field: `hypotheses[${index}].suggestedAction`,
        problems: validateAction(hypothesis.suggestedAction),
      });
    }
  });
  if (incident !== undefined) requireGrouping(incident, open.investigation.anomalyIds);
  const ranked: RankedHypothesis[] = hypotheses
    .map((hypothesis, index) => ({ hypothesis, index }))
    .sort((a, b) => b.hypothesis.confidence - a.hypothesis.confidence || a.index - b.index)
    .map(({ hypothesis }, position) => ({ rank: position + 1, ...hypothesis }));
  return [{ type: 'InvestigationConcluded', data: { investigationId, hypotheses: ranked, ...(incident ? { incident: { leadAnomalyId: incident.leadAnomalyId, anomalyIds: [...incident.anomalyIds] } } : {}), concludedBy: command.metadata.actor, at: command.metadata.now } }];
}

/** An incident names its lead among its anomalies, which include the investigation's own. */
function requireGrouping(incident: IncidentGrouping, own: readonly string[]): void {
  const ids: unknown = incident.anomalyIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_GROUPED_ANOMALIES) {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', `an incident groups 1 to ${MAX_GROUPED_ANOMALIES} anomalies`, { field: 'incident.anomalyIds' });
  }
  ids.forEach((id, index) => requireText(id, `incident.anomalyIds[${index}]`));
  requireText(incident.leadAnomalyId, 'incident.leadAnomalyId');
  if (!ids.includes(incident.leadAnomalyId)) {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', 'the incident\'s lead must be one of its anomalies', { field: 'incident.leadAnomalyId' });
  }
  const missing = own.filter((id) => !ids.includes(id));
  if (missing.length > 0) {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', `the incident must include the investigation's own anomalies: ${missing.join(', ')}`, { field: 'incident.anomalyIds', missing });
  }
}

const MAX_GROUPED_ANOMALIES = 500;
