import { DataSource } from 'typeorm';
import { CommandBus } from '@vigil/application';
import { AnomalyDetected } from '@vigil/domain/anomaly';
import { DetectedAnomalyRef } from '@vigil/investigation';
import { anomaliesOpenedSince, approvalsByProposal } from '@vigil/read-models';

/** A detected anomaly and the event that detected it (its investigation's id derives from that event's id). */
export interface PeerAnomaly extends DetectedAnomalyRef {
  readonly detectedEventId: string;
}

export const peerOf = ({ data, eventId }: { readonly data: AnomalyDetected['data']; readonly eventId: string }): PeerAnomaly => ({
  anomalyId: data.anomalyId,
  service: data.service,
  signal: data.signal,
  onset: data.window.start,
  end: data.window.end,
  score: data.score,
  detectedEventId: eventId,
});

/** What the investigator needs to know about the other anomalies and proposals of an incident. */
export interface IncidentPeers {
  /** Anomalies detected since `from` (ISO), with their onsets; suppressed ones left out. */
  anomaliesSince(from: string): Promise<PeerAnomaly[]>;
  /**
   * True while an approval of the assessed proposal awaits a decision and none was granted, rejected or expired. An
   * assessed proposal without a pending approval was auto-approved (and is executing) or is between assessment and
   * request: neither is superseded.
   */
  undecided(proposalId: string): Promise<boolean>;
}

/** The incidents and approval-queue read models, and each anomaly's AnomalyDetected from the log. */
export class ReadModelIncidentPeers implements IncidentPeers {
  constructor(private readonly dataSource: DataSource, private readonly bus: CommandBus) {}

  async anomaliesSince(from: string): Promise<PeerAnomaly[]> {
    const incidents = await anomaliesOpenedSince(this.dataSource.manager, from);
    const peers = await Promise.all(incidents.map(async (incident): Promise<PeerAnomaly | undefined> => {
      const { events } = await this.bus.load('anomaly', incident.anomalyId);
      const detected = events.find((event) => event.type === 'AnomalyDetected');
      if (!detected) return undefined;
      return peerOf({ data: detected.data as AnomalyDetected['data'], eventId: detected.eventId });
    }));
    return peers.filter((peer): peer is PeerAnomaly => peer !== undefined);
  }

  async undecided(proposalId: string): Promise<boolean> {
    const approvals = await approvalsByProposal(this.dataSource.manager, proposalId);
    return approvals.some((approval) => approval.status === 'pending') && approvals.every((approval) => approval.status === 'pending' || approval.status === 'cancelled');
  }
}
