import { LinkTicket } from '../commands';
import { InvestigationErrors } from '../errors';
import { TicketLinked } from '../events';
import { InvestigationState } from '../state';
import { requireStarted } from './guards';

const JIRA_KEY = /^[A-Z][A-Z0-9_]*-[1-9]\d*$/;

/** One ticket per investigation: linking the same key again appends nothing; a different key is refused. */
export function linkTicket(command: LinkTicket, state: InvestigationState): TicketLinked[] {
  const { investigationId, jiraKey } = command.data;
  const { investigation } = requireStarted(state, investigationId);
  if (typeof jiraKey !== 'string' || !JIRA_KEY.test(jiraKey)) {
    throw InvestigationErrors.raise('INVESTIGATION.INVALID_INPUT', 'jiraKey must look like OPS-123', { field: 'jiraKey' });
  }
  if (investigation.jiraKey === jiraKey) return [];
  if (investigation.jiraKey !== undefined) {
    throw InvestigationErrors.raise('INVESTIGATION.TICKET_ALREADY_LINKED', `investigation ${investigationId} is linked to ${investigation.jiraKey}`, {
      investigationId,
      jiraKey: investigation.jiraKey,
    });
  }
  return [{ type: 'TicketLinked', data: { investigationId, jiraKey, by: command.metadata.actor, at: command.metadata.now } }];
}
