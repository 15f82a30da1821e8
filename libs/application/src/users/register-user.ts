import { randomUUID } from 'node:crypto';
import { EventStore } from '@vigil/event-store';
import { NewUser, User, UsersRepository } from './users-repository';

/** Adds a user and records it in the audit log (`user-<id>`: UserRegistered with roles; never the token). */
export async function registerUser(users: UsersRepository, store: EventStore, input: NewUser, actor: string, now: string): Promise<{ user: User; token: string }> {
  const created = await users.add(input, now);
  await store.append(
    `user-${created.user.id}`,
    [{
      eventId: randomUUID(),
      type: 'UserRegistered',
      data: { userId: created.user.id, roles: created.user.roles, email: created.user.email, slackId: created.user.slackId, at: now },
      metadata: { actor, correlationId: randomUUID(), recordedAt: now, schemaVersion: 1 },
    }],
    'any',
  );
  return created;
}

/** Roles change in the table the executor checks at run time, and the change is audited. */
export async function changeRoles(users: UsersRepository, store: EventStore, userId: string, roles: readonly string[], actor: string, now: string): Promise<User> {
  const before = await users.findById(userId);
  const user = await users.setRoles(userId, roles);
  await store.append(
    `user-${userId}`,
    [{
      eventId: randomUUID(),
      type: 'UserRolesChanged',
      data: { userId, from: before?.roles ?? [], to: user.roles, at: now },
      metadata: { actor, correlationId: randomUUID(), recordedAt: now, schemaVersion: 1 },
    }],
    'any',
  );
  return user;
}

/** The demo cast seeded on an empty database by `npm start`: one person per role. */
export const DEMO_USERS: readonly NewUser[] = [
  { id: 'alice', roles: ['responder'], email: 'alice@example.com' },
  { id: 'lee', roles: ['team-lead'], email: 'lee@example.com' },
  { id: 'sara', roles: ['sre'], email: 'sara@example.com' },
  { id: 'mo', roles: ['manager'], email: 'mo@example.com' },
  { id: 'vera', roles: ['vp-eng'], email: 'vera@example.com' },
  { id: 'audrey', roles: ['auditor'], email: 'audrey@example.com' },
  { id: 'admin', roles: ['admin'], email: 'admin@example.com' },
];

export async function seedDemoUsers(users: UsersRepository, store: EventStore, now: string): Promise<Record<string, { roles: readonly string[]; token: string }> | undefined> {
  if ((await users.count()) > 0) return undefined;
  const tokens: Record<string, { roles: readonly string[]; token: string }> = {};
  for (const demo of DEMO_USERS) {
    const { user, token } = await registerUser(users, store, demo, 'system:seed', now);
    tokens[user.id] = { roles: user.roles, token };
  }
  return tokens;
}
