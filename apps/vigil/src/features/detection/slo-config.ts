import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ALL_SERVICES, Slo } from '@vigil/detection';

const target = z.number().gt(0).lt(1);
const sloSchema = z.discriminatedUnion('kind', [
  z.object({ name: z.string().min(1).max(100), kind: z.literal('availability'), service: z.string().min(1), operation: z.string().min(1).optional(), target }),
  z.object({ name: z.string().min(1).max(100), kind: z.literal('latency'), service: z.string().min(1), operation: z.string().min(1).optional(), target, thresholdMs: z.number().positive() }),
]);
const fileSchema = z.object({ slos: z.array(sloSchema).max(1000) });

/** Without a file every service gets 99.9% availability over 30 days: a fast error-rate jump pages from the first minutes. */
export const DEFAULT_SLOS: readonly Slo[] = [{ name: 'availability-99.9', kind: 'availability', service: ALL_SERVICES, target: 0.999 }];

/** VIGIL_SLO_FILE (YAML or JSON `{ slos: [...] }`), or the default. A bad file stops start-up naming the entry. */
export function loadSlos(file: string | undefined): readonly Slo[] {
  if (!file) return DEFAULT_SLOS;
  const text = readFileSync(file, 'utf8');
  const parsed = fileSchema.safeParse(file.endsWith('.json') ? JSON.parse(text) : parseYaml(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`VIGIL_SLO_FILE ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data.slos;
}
