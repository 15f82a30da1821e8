import { assertNever } from '@vigil/domain/shared';
import { InvestigationEvent } from './events';
import { InvestigationRecord, InvestigationState } from './state';

export function evolve(state: InvestigationState, event: InvestigationEvent): InvestigationState {
  switch (event.type) {
    case 'InvestigationOpened':
      return {
        status: 'Open',
        investigation: { investigationId: event.data.investigationId, anomalyIds: event.data.anomalyIds, findings: [], rejections: [] },
      };
    case 'FindingRecorded': {
      const { findingId, kind, score } = event.data;
      return update(state, (record) => ({ ...record, findings: [...record.findings, { findingId, kind, score }] }));
    }
    case 'InvestigationConcluded':
      return state.status === 'Open' ? { status: 'Concluded', investigation: state.investigation, hypotheses: event.data.hypotheses } : state;
    case 'TicketLinked':
      return update(state, (record) => ({ ...record, jiraKey: event.data.jiraKey }));
    case 'RejectionFeedbackRecorded': {
      const { proposalId, reason } = event.data;
      return update(state, (record) => ({ ...record, rejections: [...record.rejections, { proposalId, reason }] }));
    }
    default:
      return assertNever(event, 'investigation event');
  }
}

function update(state: InvestigationState, change: (record: InvestigationRecord) => InvestigationRecord): InvestigationState {
  return state.status === 'Initial' ? state : { ...state, investigation: change(state.investigation) };
}
