import { randomUUID } from 'node:crypto';
import { EventStore } from '@vigil/event-store';

export interface AccessRefusal {
  readonly actor: string;
  readonly code: string;
  readonly method: string;
  readonly path: string;
  readonly requiredRoles?: readonly string[];
  readonly heldRoles?: readonly string[];
  /** What exactly was wrong, when the code alone does not say (e.g. which audience an ID token had). */
  readonly detail?: string;
  readonly correlationId: string;
}

export interface SessionEvent {
  readonly userId: string;
  readonly sessionId: string;
  readonly method: 'oidc';
  readonly correlationId: string;
  readonly [field: string]: unknown;
}

/** Every refused request is recorded in the audit log (stream `security-<actor>`), so probing leaves a trace; so are sign-ins and sign-outs. */
export class SecurityAudit {
  constructor(private readonly store: EventStore) {}

  async recordRefusal(refusal: AccessRefusal, now = new Date().toISOString()): Promise<void> {
    await this.append(refusal.actor, 'AccessRefused', refusal, refusal.correlationId, now);
  }

  async recordSignIn(session: SessionEvent, now = new Date().toISOString()): Promise<void> {
    await this.append(session.userId, 'SignedIn', session, session.correlationId, now);
  }

  async recordSignOut(session: SessionEvent, now = new Date().toISOString()): Promise<void> {
    await this.append(session.userId, 'SignedOut', session, session.correlationId, now);
  }

  private async append(actor: string, type: string, data: object, correlationId: string, now: string): Promise<void> {
    await this.store.append(
      `security-${actor.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 150)}`,
      [{ eventId: randomUUID(), type, data: { ...data, at: now }, metadata: { actor, correlationId, recordedAt: now, schemaVersion: 1 } }],
      'any',
    );
  }
}
