/**
 * Shared pieces of the telemetry topic contracts. Values are JSON (UTF-8) with an explicit schema version `v`;
 * a breaking change gets a new topic (`otel.spans.v2`), never a silent change of `v1`.
 */

/** Attribute values flattened to strings the way the OpenTelemetry Collector ClickHouse exporter does. */
export type StringAttributes = Record<string, string>;
/** The numeric subset (int and double values) of the same attributes, for numeric filtering and aggregation. */
export type NumericAttributes = Record<string, number>;

/** Nanoseconds since the Unix epoch as a decimal string: exact (uint64 does not fit a JS number). */
export type UnixNanos = string;

export interface TopicContract<TKeyInput, TValue> {
  /** Kafka topic name, versioned. */
  readonly name: string;
  /** Schema version carried in every value. */
  readonly version: number;
  /** Partition key (null: any partition). */
  key(input: TKeyInput): string | null;
  encode(value: TValue): Buffer;
  /** Parses and checks the envelope; throws ContractViolation on a foreign or mistyped payload. */
  decode(bytes: Buffer | Uint8Array): TValue;
}

export class ContractViolation extends Error {
  constructor(topic: string, detail: string) {
    super(`${topic}: ${detail}`);
    this.name = 'ContractViolation';
  }
}

export function jsonCodec<TValue extends { v: number }>(topic: string, version: number, check: (value: TValue) => string | null) {
  return {
    encode(value: TValue): Buffer {
      return Buffer.from(JSON.stringify(value), 'utf8');
    },
    decode(bytes: Buffer | Uint8Array): TValue {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
      } catch (error) {
        throw new ContractViolation(topic, `not JSON (${(error as Error).message})`);
      }
      if (typeof parsed !== 'object' || parsed === null) throw new ContractViolation(topic, 'value is not an object');
      const value = parsed as TValue;
      if (value.v !== version) throw new ContractViolation(topic, `schema version ${String(value.v)}, expected ${version}`);
      const problem = check(value);
      if (problem) throw new ContractViolation(topic, problem);
      return value;
    },
  };
}
