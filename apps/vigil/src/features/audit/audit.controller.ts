import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Pool } from 'pg';
import { z } from 'zod';
import { User } from '@vigil/application';
import { KeyObject } from 'node:crypto';
import { EVENT_STORE, EventStore, parsePosition, readCheckpoints, START, verifyAuditLog } from '@vigil/event-store';
import { CurrentUser } from '../../auth/roles.decorator';
import { APP_POOL, TRUSTED_KEYS } from '../../runtime/runtime.token';
import { ZodPipe } from '../../http/zod-body';
import { canReadStream } from '../streams/stream-visibility';
import { publicEvent } from '../streams/streams.controller';

const isoOrPosition = z.string().refine((v) => /^\d+:\d+$/.test(v) || !Number.isNaN(Date.parse(v)), 'must be a position (commit:prepare) or an ISO-8601 time');
const eventsQuery = z.object({
  stream: z.string().max(250).optional(),
  actor: z.string().max(200).optional(),
  type: z.string().max(200).optional(),
  after: isoOrPosition.optional(),
  before: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 time').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(
    @Inject(APP_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(TRUSTED_KEYS) private readonly trustedKeys: ReadonlyMap<string, KeyObject>,
  ) {}

  /** Recomputes every stream chain and checkpoint. 200 when intact, 409 with the first mismatch otherwise. */
  @Get('verify')
  @ApiOkResponse({ description: 'The log is intact.' })
  async verify(@Res({ passthrough: true }) response: Response) {
    const report = await verifyAuditLog(this.pool, { trustedKeys: this.trustedKeys });
    if (!report.intact) response.status(409);
    return report;
  }

  /** The log filtered by stream, actor, type and time, in the global order; `next` continues after the last item. */
  @Get('events')
  async events(@Query(new ZodPipe(eventsQuery)) query: z.infer<typeof eventsQuery>, @CurrentUser() user: User) {
    const afterPosition = query.after && /^\d+:\d+$/.test(query.after) ? parsePosition(query.after) : START;
    const afterTime = query.after && !/^\d+:\d+$/.test(query.after) ? new Date(query.after).toISOString() : null;
    const privileged = user.roles.includes('auditor') || user.roles.includes('admin');
    const { rows } = await this.pool.query(
      `SELECT e.stream_id, e.stream_version, e.event_id, e.type, e.data, e.metadata, e.recorded_at, e.hash,
              e.transaction_id::text AS transaction_id, e.global_position
         FROM audit_index a JOIN events e ON e.global_position = a.global_position
        WHERE ($1::text IS NULL OR a.stream_id = $1) AND ($2::text IS NULL OR a.actor = $2) AND ($3::text IS NULL OR a.type = $3)
          AND (a.commit_position, a.global_position) > ($4::numeric, $5::bigint)
          AND ($6::timestamptz IS NULL OR a.recorded_at > $6) AND ($7::timestamptz IS NULL OR a.recorded_at < $7)
          AND ($8 OR a.entity_type <> 'security')
        ORDER BY a.commit_position, a.global_position LIMIT $9`,
      [query.stream ?? null, query.actor ?? null, query.type ?? null, afterPosition.commit.toString(), afterPosition.prepare.toString(), afterTime, query.before ?? null, privileged, query.limit],
    );
    const items = rows.map((row) => ({
      position: `${row.transaction_id}:${row.global_position}`,
      streamId: row.stream_id,
      streamVersion: Number(row.stream_version),
      eventId: row.event_id,
      type: row.type,
      data: row.data,
      metadata: row.metadata,
      recordedAt: row.recorded_at.toISOString(),
      hash: row.hash,
    }));
    return { items, next: items.length === query.limit ? items[items.length - 1].position : null };
  }

  /** The whole log as JSON lines (events in the global order, then the signed checkpoints), streamed. */
  @Get('export')
  async export(@Res() response: Response, @CurrentUser() user: User) {
    response.status(200);
    response.setHeader('content-type', 'application/x-ndjson; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="vigil-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl"`);
    let after = START;
    for (;;) {
      const batch = await this.store.readAll(after, 1000);
      const lines = batch.filter((e) => canReadStream(user, e.streamId)).map((e) => JSON.stringify({ kind: 'event', ...publicEvent(e), prevHash: e.prevHash }));
      if (lines.length && !response.write(`${lines.join('\n')}\n`)) await new Promise((resolve) => response.once('drain', resolve));
      if (batch.length < 1000) break;
      after = batch[batch.length - 1].position;
    }
    for (const checkpoint of await readCheckpoints(this.pool, 0, 1_000_000)) response.write(`${JSON.stringify({ kind: 'checkpoint', ...checkpoint })}\n`);
    response.end();
  }
}
