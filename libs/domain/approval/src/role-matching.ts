import { RoleRequirement } from './policy/approval-policy';

export interface Approver {
  readonly by: string;
  readonly roles: readonly string[];
}

export interface RequirementAssignment {
  /** Index into the required roles. */
  readonly requirement: number;
  readonly by: string;
}

/** True when the person holds at least one role any requirement accepts. */
export const holdsRequiredRole = (requirements: readonly RoleRequirement[], roles: readonly string[]): boolean =>
  requirements.some((requirement) => requirement.some((role) => roles.includes(role)));

/**
 * Assigns one distinct person to each requirement (maximum bipartite matching, Kuhn's augmenting paths), so a
 * person counts once whatever roles they hold and the order of the votes does not matter: with [[sre],[manager]],
 * votes by A{sre, manager} then B{manager} are complete (A→sre, B→manager) where a greedy pass would not be.
 * Returns the assignment when every requirement is met, otherwise `undefined`.
 */
export function assignApprovers(requirements: readonly RoleRequirement[], approvers: readonly Approver[]): RequirementAssignment[] | undefined {
  const people = dedupeByPerson(approvers);
  const holderOf: (number | undefined)[] = requirements.map(() => undefined);
  const accepts = (r: number, p: number) => requirements[r].some((role) => people[p].roles.includes(role));

  const augment = (r: number, visited: Set<number>): boolean => {
    for (let p = 0; p < people.length; p++) {
      if (!accepts(r, p) || visited.has(p)) continue;
      visited.add(p);
      const displaced = holderOf.findIndex((holder) => holder === p);
      if (displaced === -1) {
        holderOf[r] = p;
        return true;
      }
      holderOf[displaced] = undefined;
      if (augment(displaced, visited)) {
        holderOf[r] = p;
        return true;
      }
      holderOf[displaced] = p;
    }
    return false;
  };

  for (let r = 0; r < requirements.length; r++) {
    if (!augment(r, new Set())) return undefined;
  }
  return holderOf.map((p, requirement) => ({ requirement, by: people[p as number].by }));
}

function dedupeByPerson(approvers: readonly Approver[]): Approver[] {
  const byPerson = new Map<string, Approver>();
  for (const approver of approvers) if (!byPerson.has(approver.by)) byPerson.set(approver.by, approver);
  return [...byPerson.values()];
}
