import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '../auth/roles.decorator';
import { VIGIL_RUNTIME } from '../runtime/runtime.token';
import { VigilRuntime } from '../runtime/vigil-runtime';

/** /healthz: the process is alive. /readyz: every dependency answers, so traffic can be sent here. */
@Public()
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(VIGIL_RUNTIME) private readonly runtime: VigilRuntime,
  ) {}

  @Get('healthz')
  @HealthCheck()
  liveness() {
    return this.health.check([]);
  }

  @Get('readyz')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => this.probe('postgres', async () => void (await this.runtime.pool.query('SELECT 1'))),
      () => this.probe('redis', async () => void (await this.runtime.redis?.ping())),
      () => this.probe('clickhouse', async () => void (await this.runtime.clickhouse?.ping())),
    ]);
  }

  private async probe(name: string, check: () => Promise<void>): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(name);
    try {
      await withTimeout(check(), 2000);
      return session.up();
    } catch (error) {
      return session.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
