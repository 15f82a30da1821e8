import { assertCommandMetadata, assertNever } from '@vigil/domain/shared';
import { AnomalyCommand } from './commands';
import { acknowledgeAnomaly } from './decide/acknowledge-anomaly';
import { detectAnomaly } from './decide/detect-anomaly';
import { escalateAnomalySeverity } from './decide/escalate-anomaly-severity';
import { resolveAnomaly } from './decide/resolve-anomaly';
import { suppressAnomaly } from './decide/suppress-anomaly';
import { AnomalyEvent } from './events';
import { AnomalyState } from './state';

export function decide(command: AnomalyCommand, state: AnomalyState): AnomalyEvent[] {
  assertCommandMetadata(command.metadata);
  switch (command.type) {
    case 'DetectAnomaly':
      return detectAnomaly(command, state);
    case 'EscalateAnomalySeverity':
      return escalateAnomalySeverity(command, state);
    case 'AcknowledgeAnomaly':
      return acknowledgeAnomaly(command, state);
    case 'SuppressAnomaly':
      return suppressAnomaly(command, state);
    case 'ResolveAnomaly':
      return resolveAnomaly(command, state);
    default:
      return assertNever(command, 'anomaly command');
  }
}
