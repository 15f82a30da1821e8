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

/** Publishes keyed contract values for `topic` as one batch, each encoded only if the bus reads its bytes. */
export async function publishValues(bus: TelemetryBus, topic: string, values: KeyedValue<unknown>[]): Promise<void> {
  if (values.length === 0) return;
  const contract = contractFor(topic);
  await bus.publish(topic, values.map(({ key, value }) => new ContractMessage(key, value, contract)));
}

/** A contract value, encoded on first read of `value` (Kafka reads it; the in-process bus hands over `decoded`). */
class ContractMessage implements OutgoingMessage {
  private bytes: Buffer | null = null;

  constructor(readonly key: string | null, readonly decoded: unknown, private readonly contract: TopicContract<never, never>) {}

  get value(): Buffer {
    this.bytes ??= this.contract.encode(this.decoded as never);
    return this.bytes;
  }
}
