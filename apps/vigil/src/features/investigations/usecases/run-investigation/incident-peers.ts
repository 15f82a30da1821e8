import { DataSource } from 'typeorm';
import { CommandBus } from '@vigil/application';
import { AnomalyDetected } from '@vigil/domain/anomaly';
import { DetectedAnomalyRef } from '@vigil/investigation';
import { anomaliesOpenedSince, approvalsByProposal } from '@vigil/read-models';

/** A detected anomaly and the event that detected it (its investigation's id derives from that event's id). */
export interface PeerAnomaly extends DetectedAnomalyRef {
  /** The detected window's start and end (ISO). */
  readonly onset: string;
  readonly end: string;
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
  /**
   * Claims `actionKey` for `proposalId` unless another proposal holds a claim younger than `windowMs` (at `now`);
   * returns the holder: `proposalId` when claimed.
   */
  claimAction(actionKey: string, proposalId: string, now: string, windowMs: number): Promise<string>;
  /** Hands the claim from `holder` (withdrawn, superseded) to `proposalId`; false when someone else took it meanwhile. */
  takeOverAction(actionKey: string, holder: string, proposalId: string, now: string): Promise<boolean>;
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

  async claimAction(actionKey: string, proposalId: string, now: string, windowMs: number): Promise<string> {
    const claimed: { proposal_id: string }[] = await this.dataSource.query(
      `INSERT INTO proposal_action_claims AS c (action_key, proposal_id, claimed_at) VALUES ($1, $2, $3)
       ON CONFLICT (action_key) DO UPDATE SET proposal_id = EXCLUDED.proposal_id, claimed_at = EXCLUDED.claimed_at
         WHERE c.proposal_id = EXCLUDED.proposal_id OR c.claimed_at < EXCLUDED.claimed_at - make_interval(secs => $4)
       RETURNING proposal_id`,
      [actionKey, proposalId, now, windowMs / 1000],
    );
    if (claimed.length > 0) return proposalId;
    const held: { proposal_id: string }[] = await this.dataSource.query(`SELECT proposal_id FROM proposal_action_claims WHERE action_key = $1`, [actionKey]);
    return held[0]?.proposal_id ?? proposalId;
  }

  async takeOverAction(actionKey: string, holder: string, proposalId: string, now: string): Promise<boolean> {
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, count].
    const moved: unknown[] = await this.dataSource.query(
      `WITH moved AS (UPDATE proposal_action_claims SET proposal_id = $3, claimed_at = $4 WHERE action_key = $1 AND proposal_id = $2 RETURNING action_key)
       SELECT action_key FROM moved`,
      [actionKey, holder, proposalId, now],
    );
    return moved.length > 0;
  }

  async undecided(proposalId: string): Promise<boolean> {
    const approvals = await approvalsByProposal(this.dataSource.manager, proposalId);
    return approvals.some((approval) => approval.status === 'pending') && approvals.every((approval) => approval.status === 'pending' || approval.status === 'cancelled');
  }
}
