/** What the current user may do with an approval, with the reason in words when not; mirrors the server's rules. */
import { holdsRequiredRole } from '@vigil/domain/approval';
import { Approval, Me, MUTATING_ROLES, Vote } from './types';

export interface Permission {
  readonly allowed: boolean;
  /** Why not, in words; empty when allowed. */
  readonly reason: string;
}

export interface VotePermissions {
  readonly approve: Permission;
  readonly reject: Permission;
  readonly modify: Permission;
}

const ok: Permission = { allowed: true, reason: '' };
const no = (reason: string): Permission => ({ allowed: false, reason });

export const neededText = (requiredRoles: readonly (readonly string[])[]): string =>
  requiredRoles.map((requirement) => requirement.join(' or ')).join(' and ');

export function votePermissions(me: Me, approval: Approval, now: number): VotePermissions {
  // The same order as the server's checks, so the reason shown is the refusal the server would give.
  const closed = approval.status !== 'pending' ? no(`This approval is ${approval.status}: there is nothing left to vote on.`) : undefined;
  const auditor =
    me.rolesKnown && !me.roles.some((role) => MUTATING_ROLES.includes(role)) ? no(`You hold ${me.roles.join(', ') || 'no role'}: auditors can read everything but change nothing.`) : undefined;
  const self = approval.proposer === me.id ? no('You proposed this action: a proposer never approves their own proposal.') : undefined;
  const role =
    me.rolesKnown && !holdsRequiredRole(approval.requiredRoles, me.roles)
      ? no(`A ${approval.tier}-tier approval needs ${neededText(approval.requiredRoles)}; you hold ${me.roles.join(', ') || 'no role'}.`)
      : undefined;
  const mine = approval.votes.find((vote) => vote.by === me.id);
  const voted = mine ? no(`You already voted (${mine.decision}) — one person counts once.`) : undefined;
  const late =
    approval.deadline && Date.parse(approval.deadline) <= now ? no('The deadline has passed: votes are refused until the escalation extends it (or the approval expires).') : undefined;
  const approve = closed ?? auditor ?? self ?? role ?? voted ?? late ?? ok;
  const reject = closed ?? auditor ?? role ?? voted ?? late ?? ok;
  return { approve, reject, modify: approve };
}

export interface RequirementProgress {
  readonly requirement: readonly string[];
  /** The distinct person counted for it, when met. */
  readonly by?: string;
}

/**
 * Which requirement each approving voter fills (one distinct person each, a maximum matching like the server's),
 * so the card can say which roles are still needed.
 */
export function requirementProgress(requiredRoles: readonly (readonly string[])[], votes: readonly Vote[]): RequirementProgress[] {
  const people: Vote[] = [];
  for (const vote of votes) {
    if (vote.decision === 'approve' && !(vote.modifications && Object.keys(vote.modifications).length) && !people.some((p) => p.by === vote.by)) people.push(vote);
  }
  const holderOf: (number | undefined)[] = requiredRoles.map(() => undefined);
  const accepts = (r: number, p: number) => requiredRoles[r].some((role) => people[p].roles.includes(role));
  const augment = (r: number, visited: Set<number>): boolean => {
    for (let p = 0; p < people.length; p++) {
      if (!accepts(r, p) || visited.has(p)) continue;
      visited.add(p);
      const displaced = holderOf.indexOf(p);
      // Free, or their current requirement can move to someone else (which reassigns holderOf[displaced]).
      if (displaced === -1 || augment(displaced, visited)) {
        holderOf[r] = p;
        return true;
      }
    }
    return false;
  };
  for (let r = 0; r < requiredRoles.length; r++) augment(r, new Set());
  return requiredRoles.map((requirement, r) => {
    const holder = holderOf[r];
    return holder === undefined ? { requirement } : { requirement, by: people[holder].by };
  });
}

const REFUSALS: Record<string, string> = {
  'APPROVAL.SELF_APPROVAL': 'Refused: you proposed this action, and a proposer can never approve their own proposal.',
  'APPROVAL.ROLE_REQUIRED': 'Refused: this approval needs a role you do not hold.',
  'APPROVAL.HUMAN_REQUIRED': 'Refused: only people vote; agents and system components cannot.',
  'APPROVAL.ALREADY_VOTED': 'Refused: you already voted on this approval; one person counts once.',
  'APPROVAL.STALE_VERSION': 'Refused: the action changed since you loaded it (there is a newer version). Review the current version and vote again.',
  'APPROVAL.CLOSED': 'Refused: this approval has already been decided.',
  'APPROVAL.EXPIRED': 'Refused: the deadline for this approval has passed.',
  'APPROVAL.REASON_REQUIRED': 'A rejection needs a reason: it is fed back to the investigation.',
  'APPROVAL.NOT_FOUND': 'There is no such approval.',
  'AUTH.FORBIDDEN': 'Refused: your roles do not allow this.',
  'AUTH.UNAUTHENTICATED': 'Your API token is not valid (any more): sign in again.',
  'REQUEST.INVALID': 'The request was not valid.',
};

/** A refusal from the server in words, keeping the server's own message and the code. */
export function refusalText(code: string, message: string): string {
  const words = REFUSALS[code];
  if (!words) return message || code;
  return message && message !== words ? `${words} (${message})` : words;
}
