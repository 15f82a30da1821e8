import { assignApprovers, holdsRequiredRole } from './role-matching';

describe('assigning approvers to role requirements', () => {
  const high = [['sre'], ['manager']];

  it('needs one distinct person per requirement', () => {
    expect(assignApprovers(high, [{ by: 'pat', roles: ['sre', 'manager'] }])).toBeUndefined();
    expect(assignApprovers(high, [{ by: 'pat', roles: ['sre', 'manager'] }, { by: 'pat', roles: ['sre', 'manager'] }])).toBeUndefined();
  });

  it('finds the assignment a greedy pass would miss', () => {
    expect(assignApprovers(high, [{ by: 'pat', roles: ['manager', 'sre'] }, { by: 'maria', roles: ['manager'] }])).toEqual([
      { requirement: 0, by: 'pat' },
      { requirement: 1, by: 'maria' },
    ]);
  });

  it('accepts any role of an any-of requirement', () => {
    expect(assignApprovers([['responder', 'team-lead']], [{ by: 'tl', roles: ['team-lead'] }])).toEqual([{ requirement: 0, by: 'tl' }]);
  });

  it('tells whether a person holds a role some requirement accepts', () => {
    expect(holdsRequiredRole(high, ['manager'])).toBe(true);
    expect(holdsRequiredRole(high, ['responder'])).toBe(false);
  });
});
