import { assertCommandMetadata, assertNever } from '@vigil/domain/shared';
import { RemediationProposalCommand } from './commands';
import { assessRisk } from './decide/assess-risk';
import { modifyProposal } from './decide/modify-proposal';
import { proposeRemediation } from './decide/propose-remediation';
import { supersedeProposal } from './decide/supersede-proposal';
import { withdrawProposal } from './decide/withdraw-proposal';
import { RemediationProposalEvent } from './events';
import { RemediationProposalState } from './state';

export function decide(command: RemediationProposalCommand, state: RemediationProposalState): RemediationProposalEvent[] {
  assertCommandMetadata(command.metadata);
  switch (command.type) {
    case 'ProposeRemediation':
      return proposeRemediation(command, state);
    case 'AssessRisk':
      return assessRisk(command, state);
    case 'ModifyProposal':
      return modifyProposal(command, state);
    case 'WithdrawProposal':
      return withdrawProposal(command, state);
    case 'SupersedeProposal':
      return supersedeProposal(command, state);
    default:
      return assertNever(command, 'remediation proposal command');
  }
}
