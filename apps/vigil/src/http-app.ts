import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'pino';
import { AppModule } from './app.module';
import { correlationId } from './errors/correlation-id.middleware';
import { serveConsole } from './http/console-assets';
import { ErrorResponseFilter } from './errors/error-response.filter';
import { PinoNestLogger } from './logging/logger';
import { VigilRuntime } from './runtime/vigil-runtime';

/** Builds the HTTP application around a started runtime (shared by `npm start` and the e2e specs). */
export async function createHttpApp(runtime: VigilRuntime, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRuntime(runtime), { logger: new PinoNestLogger(logger), abortOnError: false });
  app.use(correlationId);
  serveConsole(app);
  app.useGlobalFilters(new ErrorResponseFilter());
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('Vigil').setVersion('0.1.0').addBearerAuth().build());
  SwaggerModule.setup('api/docs', app, document);
  return app;
}
