import { assertNever } from '@vigil/domain/shared';
import { AnomalyEvent } from './events';
import { AnomalyState } from './state';

export function evolve(state: AnomalyState, event: AnomalyEvent): AnomalyState {
  switch (event.type) {
    case 'AnomalyDetected': {
      const { anomalyId, service, operation, signal, severity, window, source, fingerprint, at } = event.data;
      return {
        status: 'Open',
        anomaly: { anomalyId, key: { service, operation, signal }, severity, occurrences: 1, lastWindow: window, detectedAt: at, source, fingerprint },
      };
    }
    case 'AnomalyUpdated':
      if (state.status === 'Initial' || state.status === 'Resolved') return state;
      return { ...state, anomaly: { ...state.anomaly, occurrences: event.data.occurrences, lastWindow: event.data.window } };
    case 'AnomalyEscalatedSeverity':
      if (state.status === 'Initial' || state.status === 'Resolved') return state;
      return { ...state, anomaly: { ...state.anomaly, severity: event.data.to } };
    case 'AnomalyAcknowledged':
      return state.status === 'Open' ? { status: 'Acknowledged', anomaly: state.anomaly, acknowledgedBy: event.data.by } : state;
    case 'AnomalySuppressed':
      if (state.status === 'Initial' || state.status === 'Resolved') return state;
      return { status: 'Suppressed', anomaly: state.anomaly, silenceId: event.data.silenceId };
    case 'AnomalyResolved':
      if (state.status === 'Initial' || state.status === 'Resolved') return state;
      return { status: 'Resolved', anomaly: state.anomaly, how: event.data.how };
    default:
      return assertNever(event, 'anomaly event');
  }
}
