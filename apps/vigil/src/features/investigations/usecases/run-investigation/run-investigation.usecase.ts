import { CommandBus } from '@vigil/application';
import { AnomalyDetected } from '@vigil/domain/anomaly';
import { sagaIds } from '@vigil/domain/approval-saga';
import { Hypothesis, IncidentGrouping, InvestigationConcluded, RecordFinding } from '@vigil/domain/investigation';
import { ProposalRiskContext } from '@vigil/domain/remediation';
import { CommandMetadata, DomainError } from '@vigil/domain/shared';
import { buildServiceGraph, CandidateAction, dependentsOf, IncidentGroup, incidentGroup, investigate, InvestigationOptions, recordFindingData } from '@vigil/investigation';
import { InvestigationEvidence, InvestigationEvidenceGatherer } from '@vigil/investigation-store';
import { RecordedEvent } from '@vigil/event-store';
import { uuidFromSeed } from '@vigil/saga-host';
import { InvestigationJob } from '../../investigation-queue';
import { DryRunner, noDryRun } from './dry-run';
import { IncidentPeers, PeerAnomaly, peerOf } from './incident-peers';

export const INVESTIGATOR = 'ai:investigator';

/**
 * The store's onsets are per-minute: a callee whose anomaly shows in the caller's minute or the next one (a fault
 * starting late in a minute crosses the caller's threshold first when the caller aggregates several callees) may
 * still explain it.
 */
export const EVIDENCE_TRACE_OPTIONS = { onsetToleranceMs: 60_000 } as const;

/** The same action (kind + target) is proposed once in this time, whichever investigation gets there first. */
export const SAME_ACTION_WINDOW_MS = 60 * 60_000;

/** Anomalies whose onsets are this close may be one fault (see incidentGroup). */
export const INCIDENT_WINDOW_MS = 15 * 60_000;

export interface RunInvestigationDependencies {
  readonly bus: CommandBus;
  /** The ClickHouse queries; absent when the runtime has no telemetry store (then nothing is investigated). */
  readonly evidence?: Pick<InvestigationEvidenceGatherer, 'gather'>;
  readonly dryRun?: DryRunner;
  readonly clock?: () => string;
  readonly options?: Partial<InvestigationOptions>;
  /** The incident's other anomalies and proposals; without it every investigation proposes on its own. */
  readonly peers?: IncidentPeers;
}

/** How the run ended, for logs and specs. */
export type InvestigationRun =
  | { readonly kind: 'skipped'; readonly reason: string }
  | {
      readonly kind: 'concluded';
      readonly findings: number;
      readonly proposalId?: string;
      /** The proposals this one replaced (a symptom's, made before the lead's anomaly was detected). */
      readonly superseded?: readonly string[];
      /** The anomaly of the incident whose investigation proposes instead of this one. */
      readonly deferredTo?: string;
      /** The proposal of the same action another investigation made (and holds the claim for). */
      readonly sameActionAs?: string;
    };

/** The proposal the investigator makes for an investigation (at most one, so its id follows from the investigation's). */
export const investigatorProposalId = (investigationId: string): string => uuidFromSeed(`proposal:investigation:${investigationId}`);

/**
 * The investigator: for an opened investigation, gathers the telemetry of its anomaly, runs the analyses, records
 * each finding and the ranked conclusion, and proposes the best candidate action with its blast radius and dry run.
 * Every command has an idempotency key derived from the investigation, so running a job again (a retry, a crash
 * half-way) appends nothing twice; an investigation already concluded is only proposed for.
 */
export class RunInvestigationUseCase {
  private readonly dryRun: DryRunner;
  private readonly clock: () => string;

  constructor(private readonly deps: RunInvestigationDependencies) {
    this.dryRun = deps.dryRun ?? noDryRun;
    this.clock = deps.clock ?? (() => new Date().toISOString());
  }

  async execute(job: InvestigationJob): Promise<InvestigationRun> {
    const { investigationId } = job;
    const { state } = await this.deps.bus.load('investigation', investigationId);
    if (state.status === 'Initial') return { kind: 'skipped', reason: `investigation ${investigationId} does not exist` };
    const detected = await this.detectedAnomaly(state.investigation.anomalyIds[0]);
    if (!detected) return { kind: 'skipped', reason: `investigation ${investigationId} names no detected anomaly` };
    const anomaly = detected.data;
    const meta = this.metadataFor(job);

    if (!this.deps.evidence) {
      if (state.status === 'Open') await this.conclude(investigationId, [noTelemetryHypothesis(anomaly)], meta);
      return { kind: 'concluded', findings: 0 };
    }

    const evidence = await this.deps.evidence.gather({
      service: anomaly.service,
      signal: anomaly.signal,
      window: anomaly.window,
      ...(anomaly.operation ? { operation: anomaly.operation } : {}),
      summary: summaryOf(anomaly),
    });
    const outcome = investigate(evidence.input, { ...this.deps.options, trace: this.traceOptions });
    const { incident, deferTo } = await this.incidentAndLead(peerOf(detected), evidence);
    if (state.status === 'Open') {
      for (const finding of outcome.findings) {
        const data: RecordFinding['data'] = recordFindingData(investigationId, finding);
        await this.deps.bus.send('investigation', investigationId, { type: 'RecordFinding', data, metadata: meta(`finding:${finding.findingId}`) });
      }
      const grouping = incident ? { leadAnomalyId: incident.lead.anomalyId, anomalyIds: incident.members.map((member) => member.anomalyId) } : undefined;
      await this.conclude(investigationId, deferTo ? [...outcome.conclusion, deferredHypothesis(deferTo)] : outcome.conclusion, meta, grouping);
    }
    const findings = outcome.findings.length;
    if (deferTo) return { kind: 'concluded', findings, deferredTo: deferTo.anomalyId };
    const best = outcome.proposal.candidates[0];
    if (!best) return { kind: 'concluded', findings };
    const riskContext = riskContextOf(evidence, best, outcome.hypotheses[best.hypothesisIndex]?.service ?? anomaly.service);
    return { kind: 'concluded', findings, ...(await this.proposeOnce(investigationId, anomaly.anomalyId, incident, best, riskContext, meta)) };
  }

  /**
   * Proposes `best` unless another investigation holds the claim on the same action, then supersedes the incident's
   * proposals still awaiting a decision (made from a symptom before this lead's anomaly was detected).
   */
  private async proposeOnce(
    investigationId: string,
    anomalyId: string,
    incident: IncidentGroup<PeerAnomaly> | undefined,
    best: CandidateAction,
    riskContext: ProposalRiskContext,
    meta: (purpose: string) => CommandMetadata,
  ): Promise<{ proposalId: string; superseded?: string[] } | { sameActionAs: string }> {
    const proposalId = investigatorProposalId(investigationId);
    const holder = await this.claimAction(best.action, proposalId);
    // Another investigation (of this fault, run in parallel) proposed this very action: a second copy would ask twice.
    if (holder) return { sameActionAs: holder };
    const superseded = incident ? await this.undecidedPeerProposals(incident, anomalyId) : [];
    await this.propose(proposalId, investigationId, anomalyId, best, riskContext, meta);
    for (const peer of superseded) {
      await this.deps.bus.send('proposal', peer, { type: 'SupersedeProposal', data: { proposalId: peer, supersededBy: proposalId }, metadata: meta(`supersede:${peer}`) });
    }
    return { proposalId, ...(superseded.length > 0 ? { superseded } : {}) };
  }

  private get traceOptions() {
    return { ...EVIDENCE_TRACE_OPTIONS, ...this.deps.options?.trace };
  }

  /**
   * This anomaly's incident and the lead to defer to, when the peers and the service graph are known. A lead whose
   * investigation gave up cannot propose: the incident is grouped again without it as a possible lead.
   */
  private async incidentAndLead(self: PeerAnomaly, evidence: InvestigationEvidence): Promise<{ incident?: IncidentGroup<PeerAnomaly>; deferTo?: PeerAnomaly }> {
    if (!this.deps.peers || !evidence.input.edges) return {};
    const from = new Date(Date.parse(self.onset) - INCIDENT_WINDOW_MS).toISOString();
    const others = await this.deps.peers.anomaliesSince(from);
    const graph = buildServiceGraph(evidence.input.edges);
    const cannotLead = new Set<string>();
    for (;;) {
      const incident = incidentGroup(
        { self, others, graph, cannotLead, ...(evidence.input.serviceAnomalies ? { serviceAnomalies: evidence.input.serviceAnomalies } : {}) },
        { windowMs: INCIDENT_WINDOW_MS, trace: this.traceOptions },
      );
      const { lead } = incident;
      if (lead.anomalyId === self.anomalyId || cannotLead.has(lead.anomalyId)) return { incident };
      const standing = await this.leadStanding(lead);
      if (standing === 'gave-up') {
        cannotLead.add(lead.anomalyId);
        continue;
      }
      return { incident, ...(standing === 'proposes' ? { deferTo: lead } : {}) };
    }
  }

  /**
   * What the lead's investigation does for the incident:
   * - `proposes`: it is still to conclude, it proposed, or it deferred to a lead that gave up (its job runs again
   *   then, see {@link giveUp});
   * - `gave-up`: it concluded without looking at the incident (no evidence) and proposed nothing;
   * - `left-to-us`: it concluded without proposing, deferring to an anomaly it saw as the lead before this one was
   *   detected: the proposal is ours.
   */
  private async leadStanding(lead: PeerAnomaly): Promise<'proposes' | 'gave-up' | 'left-to-us'> {
    const conclusion = await this.conclusionOf(lead);
    if (conclusion === 'open' || conclusion === 'proposed') return 'proposes';
    if (!conclusion.incident) return 'gave-up';
    const { leadAnomalyId } = conclusion.incident;
    if (leadAnomalyId === lead.anomalyId) return 'left-to-us';
    const itsLead = await this.detectedAnomaly(leadAnomalyId);
    return itsLead && gaveUp(await this.conclusionOf(peerOf(itsLead))) ? 'proposes' : 'left-to-us';
  }

  /** An anomaly's investigation: still open, concluded with a proposal, or its conclusion (without one). */
  private async conclusionOf(anomaly: PeerAnomaly): Promise<'open' | 'proposed' | InvestigationConcluded['data']> {
    return (await this.investigationOf(anomaly)).conclusion;
  }

  private async investigationOf(anomaly: PeerAnomaly): Promise<{ events: RecordedEvent[]; conclusion: 'open' | 'proposed' | InvestigationConcluded['data'] }> {
    const investigationId = investigationIdOf(anomaly);
    const { events } = await this.deps.bus.load('investigation', investigationId);
    const concluded = events.find((event) => event.type === 'InvestigationConcluded');
    if (!concluded) return { events, conclusion: 'open' };
    const { state: proposal } = await this.deps.bus.load('proposal', investigatorProposalId(investigationId));
    return { events, conclusion: proposal.status !== 'Initial' ? 'proposed' : (concluded.data as InvestigationConcluded['data']) };
  }

  /**
   * Claims the action (kind + target) for this investigation's proposal; returns the proposal holding it instead,
   * unless that one was withdrawn or superseded (then the claim is taken over). Without peers, nothing is claimed.
   */
  private async claimAction(action: { kind: string; target: string }, proposalId: string): Promise<string | undefined> {
    if (!this.deps.peers) return undefined;
    const key = `${action.kind} ${action.target}`;
    const now = this.clock();
    const holder = await this.deps.peers.claimAction(key, proposalId, now, SAME_ACTION_WINDOW_MS);
    if (holder === proposalId) return undefined;
    const { state } = await this.deps.bus.load('proposal', holder);
    // Not proposed yet (Initial): its investigation is proposing right now, or will on its retry.
    const replaced = state.status === 'Withdrawn' || state.status === 'Superseded';
    if (replaced && (await this.deps.peers.takeOverAction(key, holder, proposalId, now))) return undefined;
    return holder;
  }

  /** The other members' investigator proposals nobody has decided on yet. */
  private async undecidedPeerProposals(incident: IncidentGroup<PeerAnomaly>, self: string): Promise<string[]> {
    const open: string[] = [];
    for (const member of incident.members) {
      if (member.anomalyId === self) continue;
      const proposalId = investigatorProposalId(investigationIdOf(member));
      const { state } = await this.deps.bus.load('proposal', proposalId);
      // Not yet assessed: nobody was asked. Assessed: only while its approval is pending.
      if (state.status !== 'AwaitingAssessment' && state.status !== 'Assessed') continue;
      if (state.status === 'Assessed' && !(await this.deps.peers!.undecided(proposalId))) continue;
      open.push(proposalId);
    }
    return open;
  }

  /**
   * After the last try failed: concludes (if still open) saying why nothing was found, proposes nothing, and returns
   * the jobs of the incident's investigations that deferred to this one: run again, they pick another lead (one of
   * them proposes) instead of leaving the incident without a proposal.
   */
  async giveUp(job: InvestigationJob, error: Error): Promise<InvestigationJob[]> {
    const { state } = await this.deps.bus.load('investigation', job.investigationId);
    if (state.status !== 'Open') return [];
    const hypothesis: Hypothesis = { summary: `The investigation could not gather its evidence: ${error.message}`.slice(0, 1000), confidence: 0 };
    await this.conclude(job.investigationId, [hypothesis], this.metadataFor(job));
    return this.deferredTo(state.investigation.anomalyIds[0]);
  }

  /** The jobs of the investigations that concluded deferring to `anomalyId` and proposed nothing. */
  private async deferredTo(anomalyId: string | undefined): Promise<InvestigationJob[]> {
    const detected = await this.detectedAnomaly(anomalyId);
    if (!detected || !this.deps.peers) return [];
    const peers = await this.deps.peers.anomaliesSince(new Date(Date.parse(detected.data.window.start) - INCIDENT_WINDOW_MS).toISOString());
    const jobs: InvestigationJob[] = [];
    for (const peer of peers) {
      if (peer.anomalyId === anomalyId) continue;
      const { events, conclusion } = await this.investigationOf(peer);
      if (typeof conclusion !== 'object' || conclusion.incident?.leadAnomalyId !== anomalyId) continue;
      const opened = events.find((event) => event.type === 'InvestigationOpened');
      if (!opened) continue;
      const correlationId = opened.metadata.correlationId;
      jobs.push({ investigationId: investigationIdOf(peer), openedEventId: opened.eventId, ...(typeof correlationId === 'string' ? { correlationId } : {}) });
    }
    return jobs;
  }

  private metadataFor(job: InvestigationJob): (purpose: string) => CommandMetadata {
    return (purpose) => ({
      now: this.clock(),
      actor: INVESTIGATOR,
      causationId: job.openedEventId,
      ...(job.correlationId ? { correlationId: job.correlationId } : {}),
      idempotencyKey: `investigator:${job.investigationId}:${purpose}`,
    });
  }

  private async detectedAnomaly(anomalyId: string | undefined): Promise<{ data: AnomalyDetected['data']; eventId: string } | undefined> {
    if (!anomalyId) return undefined;
    const { events } = await this.deps.bus.load('anomaly', anomalyId);
    const detected = events.find((event) => event.type === 'AnomalyDetected');
    return detected ? { data: detected.data as AnomalyDetected['data'], eventId: detected.eventId } : undefined;
  }

  private async conclude(investigationId: string, hypotheses: readonly Hypothesis[], meta: (purpose: string) => CommandMetadata, incident?: IncidentGrouping): Promise<void> {
    await this.deps.bus.send('investigation', investigationId, {
      type: 'ConcludeInvestigation',
      data: { investigationId, hypotheses, ...(incident ? { incident } : {}) },
      metadata: meta('conclude'),
    });
  }

  private async propose(
    proposalId: string,
    investigationId: string,
    anomalyId: string,
    candidate: CandidateAction,
    riskContext: ProposalRiskContext,
    meta: (purpose: string) => CommandMetadata,
  ): Promise<void> {
    const dryRun = await this.dryRun(candidate.action);
    const evidence = candidate.findingIds.length > 0 ? ` Evidence: investigation ${investigationId}, findings ${candidate.findingIds.join(', ')}.` : ` Evidence: investigation ${investigationId}.`;
    try {
      await this.deps.bus.send('proposal', proposalId, {
        type: 'ProposeRemediation',
        data: { proposalId, action: candidate.action, rationale: `${candidate.rationale}${evidence}`, investigationId, anomalyId, riskContext, ...(dryRun ? { dryRun } : {}) },
        metadata: meta('propose'),
      });
    } catch (error) {
      // Proposed by an earlier run whose key was not the same (e.g. another time): the proposal stands.
      if (!(error instanceof DomainError && error.code === 'PROPOSAL.ALREADY_EXISTS')) throw error;
    }
  }
}

/** The blast radius of acting on `service`: its footprint in the spans and the services that call it. */
function riskContextOf(evidence: InvestigationEvidence, candidate: CandidateAction, service: string): ProposalRiskContext {
  if (candidate.action.kind === 'ticket.create') return {};
  const footprint = evidence.footprints.get(service);
  const dependents = evidence.input.edges ? dependentsOf(buildServiceGraph(evidence.input.edges), service) : undefined;
  return {
    service,
    ...(footprint?.environment ? { environment: footprint.environment } : {}),
    ...(footprint?.replicas !== undefined ? { replicas: footprint.replicas } : {}),
    ...(footprint?.trafficShare !== undefined ? { trafficShare: footprint.trafficShare } : {}),
    ...(dependents ? { dependents: [...dependents] } : {}),
  };
}

/** The saga opens one investigation per AnomalyDetected, its id derived from the event's. */
const investigationIdOf = (anomaly: PeerAnomaly): string => sagaIds.investigation(uuidFromSeed, anomaly.detectedEventId);

/** Concluded without looking at its incident (no evidence: its last try failed) and proposed nothing. */
const gaveUp = (conclusion: 'open' | 'proposed' | InvestigationConcluded['data']): boolean => typeof conclusion === 'object' && !conclusion.incident;

/** Ranked last (confidence 0): why this investigation proposes nothing although it found a cause. */
function deferredHypothesis(lead: PeerAnomaly): Hypothesis {
  return {
    summary: `Part of one incident with the ${lead.signal} anomaly on ${lead.service} (${lead.anomalyId}), nearer its cause: the remediation is proposed from that anomaly's investigation (${investigationIdOf(lead)})`,
    confidence: 0,
  };
}

function summaryOf(anomaly: AnomalyDetected['data']): string {
  return `${anomaly.signal} on ${anomaly.service} ${anomaly.operation}: expected ${anomaly.expected}, saw ${anomaly.actual} (${anomaly.severity}) in ${anomaly.window.start} – ${anomaly.window.end}`;
}

/** Without a telemetry store there is nothing to look at: the conclusion says so and nothing is proposed. */
function noTelemetryHypothesis(anomaly: AnomalyDetected['data']): Hypothesis {
  return { summary: `No telemetry store configured: the ${anomaly.signal} anomaly on ${anomaly.service} was not investigated`, confidence: 0 };
}
