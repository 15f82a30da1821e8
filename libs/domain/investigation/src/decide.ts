import { assertCommandMetadata, assertNever } from '@vigil/domain/shared';
import { InvestigationCommand } from './commands';
import { concludeInvestigation } from './decide/conclude-investigation';
import { linkTicket } from './decide/link-ticket';
import { openInvestigation } from './decide/open-investigation';
import { recordFinding } from './decide/record-finding';
import { recordRejectionFeedback } from './decide/record-rejection-feedback';
import { InvestigationEvent } from './events';
import { InvestigationState } from './state';

export function decide(command: InvestigationCommand, state: InvestigationState): InvestigationEvent[] {
  assertCommandMetadata(command.metadata);
  switch (command.type) {
    case 'OpenInvestigation':
      return openInvestigation(command, state);
    case 'RecordFinding':
      return recordFinding(command, state);
    case 'ConcludeInvestigation':
      return concludeInvestigation(command, state);
    case 'LinkTicket':
      return linkTicket(command, state);
    case 'RecordRejectionFeedback':
      return recordRejectionFeedback(command, state);
    default:
      return assertNever(command, 'investigation command');
  }
}
