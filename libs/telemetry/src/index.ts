export * from './bus/telemetry-bus';
export * from './bus/in-process-bus';
export * from './bus/kafka-bus';
export { publishValues, contractFor } from './bus/publish';
export * from './receivers/otlp-http/otlp-http-receiver';
export { SIGNALS, TRACES, LOGS, METRICS, OtlpDecodeError } from './otlp/signals';
export type { Signal, SignalName, OtlpEncoding } from './otlp/signals';
