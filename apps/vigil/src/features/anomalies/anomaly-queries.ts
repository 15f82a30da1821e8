import { DataSource } from 'typeorm';
import { IncidentStatus, listIncidents } from '@vigil/read-models';

/** Anomalies as the incidents read model lists them. */
export class AnomalyQueries {
  constructor(private readonly dataSource: DataSource) {}

  async list(status?: string) {
    const incidents = await listIncidents(this.dataSource.manager, { status: status as IncidentStatus | undefined, limit: 500 });
    return { items: incidents.map((incident) => ({ id: incident.anomalyId, ...incident })) };
  }
}
