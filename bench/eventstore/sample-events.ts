import { randomUUID } from 'node:crypto';
import { NewEvent } from '@vigil/event-store';

const ENTITIES = ['incident', 'approval', 'remediation', 'escalation', 'runbook'] as const;
const TYPES = ['IncidentOpened', 'SignalAttached', 'RemediationProposed', 'ApprovalRequested', 'VoteCast', 'ActionExecuted'] as const;
const SERVICES = ['checkout', 'payments', 'search', 'auth', 'inventory'] as const;

/** `incident-…`, `approval-…`: the audit index derives entity_type from the prefix, so vary it. */
export function sampleStreamId(n: number, suffix: string): string {
  return `${ENTITIES[n % ENTITIES.length]}-${suffix}`;
}

/** A realistic control-plane event: ~350 bytes of data + metadata, like the domain's own events. */
export function sampleEvent(n: number, recordedAt: string): NewEvent {
  const service = SERVICES[n % SERVICES.length];
  return {
    eventId: randomUUID(),
    type: TYPES[n % TYPES.length],
    data: {
      service,
      environment: 'prod',
      severity: `sev${(n % 4) + 1}`,
      summary: `Disk pressure on node ip-10-0-${n % 250}-${(n * 7) % 250} (${80 + (n % 20)}% used)`,
      labels: { team: `${service}-oncall`, region: 'eu-west-1', cluster: 'prod-a' },
      attempt: n % 5,
    },
    metadata: {
      actor: `user:${['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'][n % 7]}`,
      correlationId: randomUUID(),
      recordedAt,
      schemaVersion: 1,
    },
  };
}
