import { validateAction } from '@vigil/domain/remediation';
import { ConcludeInvestigation } from '../commands';
import { InvestigationErrors } from '../errors';
import { InvestigationConcluded, RankedHypothesis } from '../events';
import { InvestigationState } from '../state';
import { requireOpen, requireText, requireUnitScore } from './guards';

/** Ranks the hypotheses by confidence, highest first (ties keep their order), and closes the investigation. */
export function concludeInvestigation(command: ConcludeInvestigation, state: InvestigationState): [InvestigationConcluded] {
  const { investigationId, hypotheses } = command.data;
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
  const ranked: RankedHypothesis[] = hypotheses
    .map((hypothesis, index) => ({ hypothesis, index }))
    .sort((a, b) => b.hypothesis.confidence - a.hypothesis.confidence || a.index - b.index)
    .map(({ hypothesis }, position) => ({ rank: position + 1, ...hypothesis }));
  return [{ type: 'InvestigationConcluded', data: { investigationId, hypotheses: ranked, concludedBy: command.metadata.actor, at: command.metadata.now } }];
}
