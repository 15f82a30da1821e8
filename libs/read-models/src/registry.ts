import { AuditIndexEntry } from './audit-index/audit-index-entry.entity';
import { auditIndexProjection } from './audit-index/audit-index.projection';
import { ApprovalQueueEntry, ProposalVersionEntry } from './approval-queue/approval-queue.entity';
import { approvalQueueProjection } from './approval-queue/approval-queue.projection';
import { ExecutionEntry } from './executions/execution-entry.entity';
import { executionsProjection } from './executions/executions.projection';
import { IncidentEntry, IncidentLink, IncidentTimelineEntry } from './incidents/incident.entity';
import { incidentsProjection } from './incidents/incidents.projection';
import { Projection } from './projection-runner/projection';
import { ProjectionCheckpoint } from './projection-runner/projection-checkpoint.entity';

/** Every read model the app runs, by name (`vigil projections rebuild <name>`). */
export const projections: readonly Projection[] = [auditIndexProjection, approvalQueueProjection, incidentsProjection, executionsProjection];

export const readModelEntities = [
  ProjectionCheckpoint,
  AuditIndexEntry,
  ApprovalQueueEntry,
  ProposalVersionEntry,
  IncidentEntry,
  IncidentTimelineEntry,
  IncidentLink,
  ExecutionEntry,
];

export function projectionNamed(name: string): Projection {
  const projection = projections.find((p) => p.name === name);
  if (!projection) throw new Error(`Unknown projection "${name}". Known: ${projections.map((p) => p.name).join(', ')}`);
  return projection;
}
