import { otelLogsV1, otelMetricsV1, otelSpansV1, type TopicContract } from '@vigil/contracts';
import type { KeyedValue } from '../otlp/convert';
import type { OutgoingMessage, TelemetryBus } from './telemetry-bus';

const CONTRACTS = new Map<string, TopicContract<never, never>>(
  [otelSpansV1, otelLogsV1, otelMetricsV1].map((contract) => [contract.name, contract as unknown as TopicContract<never, never>]),
);

export function contractFor(topic: string): TopicContract<never, never> {
  const contract = CONTRACTS.get(topic);
  if (!contract) throw new Error(`no contract for topic ${topic}`);
  return contract;
}

/** Encodes keyed contract values for `topic` and publishes them as one batch. */
export async function publishValues(bus: TelemetryBus, topic: string, values: KeyedValue<unknown>[]): Promise<void> {
  if (values.length === 0) return;
  const contract = contractFor(topic);
  const messages: OutgoingMessage[] = values.map(({ key, value }) => ({ key, value: contract.encode(value as never) }));
  await bus.publish(topic, messages);
}
