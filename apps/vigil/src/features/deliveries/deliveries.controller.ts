import { Controller, Get, HttpCode, Inject, Optional, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainError } from '@vigil/domain/shared';
import { AllowRoles } from '../../auth/roles.decorator';
import { ZodPipe } from '../../http/zod-body';
import { DELIVERY_CHANNELS } from './delivery';
import { DeliveryService } from './delivery-service';

const listQuery = z.object({ channel: z.enum(DELIVERY_CHANNELS).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });

/** The dead-letter queue: deliveries that ran out of tries or failed for good, and a way to send one again. */
@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('api/deliveries')
export class DeliveriesController {
  constructor(@Optional() @Inject(DeliveryService) private readonly deliveries?: DeliveryService) {}

  @Get('dead-letters')
  @AllowRoles('admin', 'auditor', 'sre', 'manager', 'team-lead')
  async deadLetters(@Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>) {
    const rows = this.deliveries ? await this.deliveries.deadLetterList(query.limit, query.channel) : [];
    return {
      items: rows.map((row) => ({
        id: row.id,
        channel: row.channel,
        kind: row.kind,
        attempts: row.attempts,
        error: row.lastError,
        escalation: row.escalation ? { escalationId: row.escalation.escalationId, level: row.escalation.level, target: row.escalation.target } : null,
        payload: row.payload,
        correlationId: row.correlationId,
        createdAt: row.createdAt,
        failedAt: row.finishedAt,
      })),
    };
  }

  /** Puts a dead letter back on its channel's queue with fresh tries. */
  @Post('dead-letters/:id/retry')
  @HttpCode(202)
  @AllowRoles('admin', 'sre')
  async retry(@Param('id') id: string) {
    if (!this.deliveries || !(await this.deliveries.redrive(id))) throw new DomainError('DELIVERY.NOT_FOUND', 'not_found', `No dead letter ${id}`);
    return { id, status: 'pending' };
  }
}
