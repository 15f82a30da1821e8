import { assertNever } from '@vigil/domain/shared';
import { EscalationEvent } from './events';
import { EscalationState } from './state';

export function evolve(state: EscalationState, event: EscalationEvent): EscalationState {
  switch (event.type) {
    case 'EscalationStarted': {
      const { escalationId, approvalId, levels } = event.data;
      return { status: 'Active', escalationId, approvalId, levels, currentLevel: -1 };
    }
    case 'EscalationLevelReached':
      return state.status === 'Active' ? { ...state, currentLevel: Math.max(state.currentLevel, event.data.level) } : state;
    case 'NotificationSent':
    case 'NotificationFailed':
    case 'NotificationSuppressed':
      return state;
    case 'EscalationStopped':
      return state.status === 'Active' ? { ...state, status: 'Stopped', why: event.data.why } : state;
    case 'EscalationExhausted':
      return state.status === 'Active' ? { ...state, status: 'Exhausted' } : state;
    default:
      return assertNever(event, 'escalation event');
  }
}
