import { randomUUID } from 'node:crypto';
import { EventStore } from '@vigil/event-store';

export interface AccessRefusal {
  readonly actor: string;
  readonly code: string;
  readonly method: string;
  readonly path: string;
  readonly requiredRoles?: readonly string[];
  readonly heldRoles?: readonly string[];
  readonly correlationId: string;
}

/** Every refused request is recorded in the audit log (stream `security-<actor>`), so probing leaves a trace. */
export class SecurityAudit {
  constructor(private readonly store: EventStore) {}

  async recordRefusal(refusal: AccessRefusal, now = new Date().toISOString()): Promise<void> {
    await this.store.append(
      `security-${refusal.actor.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 150)}`,
      [{ eventId: randomUUID(), type: 'AccessRefused', data: { ...refusal, at: now }, metadata: { actor: refusal.actor, correlationId: refusal.correlationId, recordedAt: now, schemaVersion: 1 } }],
      'any',
    );
  }
}
