export const ROLES = ['responder', 'team-lead', 'sre', 'manager', 'vp-eng', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** Roles that may cast votes or propose changes; an auditor reads everything and changes nothing. */
export const MUTATING_ROLES: readonly Role[] = ['responder', 'team-lead', 'sre', 'manager', 'vp-eng', 'admin'];
