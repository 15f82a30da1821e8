import type { ClickHouseClient } from '@clickhouse/client';
import type { ConnectionOptions } from 'bullmq';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { CommandBus } from '@vigil/application';
import { EventStore } from '@vigil/event-store';
import { ExecutorRegistry } from '@vigil/executors';
import { InvestigationOptions } from '@vigil/investigation';
import { InvestigationEvidenceGatherer, InvestigationEvidenceOptions } from '@vigil/investigation-store';
import { ProjectionRunner } from '@vigil/read-models';
import { investigationDispatch } from './investigation-dispatch.projection';
import { InvestigationQueue, InvestigationQueueOptions } from './investigation-queue';
import { dryRunWith } from './usecases/run-investigation/dry-run';
import { ReadModelIncidentPeers } from './usecases/run-investigation/incident-peers';
import { RunInvestigationUseCase } from './usecases/run-investigation/run-investigation.usecase';

export interface InvestigationsDependencies {
  readonly dataSource: DataSource;
  readonly store: EventStore;
  readonly bus: CommandBus;
  readonly redis: ConnectionOptions;
  readonly logger: Logger;
  /** The telemetry store; without it investigations conclude "no telemetry store configured" and propose nothing. */
  readonly clickhouse?: { readonly client: ClickHouseClient; readonly database?: string };
  /** The executors, for the proposal's dry run. */
  readonly executors?: ExecutorRegistry;
}

export interface InvestigationsOptions {
  readonly queue?: Omit<InvestigationQueueOptions, 'connection'>;
  readonly evidence?: Partial<InvestigationEvidenceOptions>;
  readonly analysis?: Partial<InvestigationOptions>;
}

/** The investigator in a process: the dispatch projection (InvestigationOpened → queue) and the queue's worker. */
export class Investigations {
  readonly queue: InvestigationQueue;
  readonly investigator: RunInvestigationUseCase;
  private readonly dispatcher: ProjectionRunner;

  constructor(deps: InvestigationsDependencies, options: InvestigationsOptions = {}) {
    this.queue = new InvestigationQueue({ ...options.queue, connection: deps.redis });
    this.investigator = new RunInvestigationUseCase({
      bus: deps.bus,
      ...(deps.clickhouse ? { evidence: new InvestigationEvidenceGatherer(deps.clickhouse, options.evidence) } : {}),
      ...(deps.executors ? { dryRun: dryRunWith(deps.executors) } : {}),
      ...(options.analysis ? { options: options.analysis } : {}),
      peers: new ReadModelIncidentPeers(deps.dataSource, deps.bus),
    });
    this.dispatcher = new ProjectionRunner(deps.dataSource, deps.store, investigationDispatch(this.queue), {
      onError: (error) => deps.logger.error({ err: error }, 'investigation dispatch failed; retrying'),
    });
    this.queue.work(
      async (job) => {
        const run = await this.investigator.execute(job);
        deps.logger.info({ investigationId: job.investigationId, correlationId: job.correlationId, run }, 'investigation run');
      },
      (job, error, final) => {
        deps.logger.warn({ err: error, investigationId: job?.investigationId, correlationId: job?.correlationId, final }, 'investigation job failed');
        if (!job || !final) return;
        // The last try failed: conclude with the reason rather than leave the investigation open forever, and run
        // the investigations that deferred to this one again (another of them leads and proposes).
        this.investigator
          .giveUp(job, error)
          .then((deferred) => Promise.all(deferred.map((again) => this.queue.enqueueAgain(again, `lead-gave-up:${job.investigationId}`))))
          .catch((failure) => deps.logger.error({ err: failure, investigationId: job.investigationId }, 'could not conclude a failed investigation'));
      },
    );
  }

  start(): void {
    this.dispatcher.start();
  }

  /** Wakes the dispatcher now (after a local append). */
  poke(): void {
    this.dispatcher.poke();
  }

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await this.queue.close();
  }
}
