import { AuditIndexEntry } from './audit-index/audit-index-entry.entity';
import { auditIndexProjection } from './audit-index/audit-index.projection';
import { Projection } from './projection-runner/projection';
import { ProjectionCheckpoint } from './projection-runner/projection-checkpoint.entity';

/** Every read model the app runs, by name (`vigil projections rebuild <name>`). */
export const projections: readonly Projection[] = [auditIndexProjection];

export const readModelEntities = [ProjectionCheckpoint, AuditIndexEntry];

export function projectionNamed(name: string): Projection {
  const projection = projections.find((p) => p.name === name);
  if (!projection) throw new Error(`Unknown projection "${name}". Known: ${projections.map((p) => p.name).join(', ')}`);
  return projection;
}
