import { assertCommandMetadata, assertNever } from '@vigil/domain/shared';
import { EscalationCommand } from './commands';
import { advanceEscalation } from './decide/advance-escalation';
import { recordNotificationFailed, recordNotificationSent, recordNotificationSuppressed } from './decide/record-notification';
import { startEscalation } from './decide/start-escalation';
import { stopEscalation } from './decide/stop-escalation';
import { EscalationEvent } from './events';
import { EscalationState } from './state';

export function decide(command: EscalationCommand, state: EscalationState): EscalationEvent[] {
  assertCommandMetadata(command.metadata);
  switch (command.type) {
    case 'StartEscalation':
      return startEscalation(command, state);
    case 'AdvanceEscalation':
      return advanceEscalation(command, state);
    case 'RecordNotificationSent':
      return recordNotificationSent(command, state);
    case 'RecordNotificationFailed':
      return recordNotificationFailed(command, state);
    case 'RecordNotificationSuppressed':
      return recordNotificationSuppressed(command, state);
    case 'StopEscalation':
      return stopEscalation(command, state);
    default:
      return assertNever(command, 'escalation command');
  }
}
