import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { verifyAuditLog } from '@vigil/event-store';
import { VIGIL_RUNTIME } from '../runtime/runtime.token';
import { VigilRuntime } from '../runtime/vigil-runtime';

@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(@Inject(VIGIL_RUNTIME) private readonly runtime: VigilRuntime) {}

  /** Recomputes every stream chain and checkpoint. 200 when intact, 409 with the first mismatch otherwise. */
  @Get('verify')
  @ApiOkResponse({ description: 'The log is intact.' })
  async verify(@Res({ passthrough: true }) response: Response) {
    const report = await verifyAuditLog(this.runtime.pool, { trustedKeys: this.runtime.trustedKeys });
    if (!report.intact) response.status(409);
    return report;
  }
}
