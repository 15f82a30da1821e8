import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { DomainError } from '@vigil/domain/shared';

/** Validates a request body (or query) against a zod schema; bad input → 400 `REQUEST.INVALID` naming each field. */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.infer<T> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || metadata.type}: ${issue.message}`);
    throw new DomainError('REQUEST.INVALID', 'invalid', problems.join('; '), { problems });
  }
}

/** JSON schema for OpenAPI from the same zod schema the pipe enforces. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
