import type { StringAttributes } from '@vigil/contracts';

export interface EnrichmentOptions {
  /** service.name when a resource has none. Default 'unknown_service' (the OpenTelemetry SDK convention). */
  defaultServiceName?: string;
  /** `environment` when a resource states no deployment.environment(.name). Default 'production'. */
  defaultEnvironment?: string;
  /** Added to every resource that does not set them already (e.g. { 'cloud.region': 'eu-west-1' }). */
  staticAttributes?: StringAttributes;
}

/** Environment spellings that mean the same thing, so filters and baselines do not split on 'prod' vs 'production'. */
const ENVIRONMENT_ALIASES: Record<string, string> = {
  prod: 'production', prd: 'production', live: 'production',
  stage: 'staging', stg: 'staging',
  dev: 'development', develop: 'development',
  qa: 'test', testing: 'test',
};

/** Older or shortened Kubernetes keys → the semantic-convention key. */
const K8S_ALIASES: Record<string, string> = {
  'k8s.namespace': 'k8s.namespace.name',
  'k8s.pod': 'k8s.pod.name',
  'k8s.deployment': 'k8s.deployment.name',
  'k8s.node': 'k8s.node.name',
  'k8s.container.name': 'container.name',
};

const K8S_ALIAS_PAIRS = Object.entries(K8S_ALIASES);

export const K8S_ATTRIBUTES = ['k8s.namespace.name', 'k8s.pod.name', 'k8s.deployment.name', 'k8s.node.name', 'container.name'] as const;

export function normaliseEnvironment(value: string): string {
  const lowered = value.trim().toLowerCase();
  return ENVIRONMENT_ALIASES[lowered] ?? lowered;
}

/**
 * Fills in and normalises the resource attributes Vigil groups by: service.name, `environment` (from
 * deployment.environment.name, else the older deployment.environment), the Kubernetes workload keys, and static
 * attributes. Returns the service name to store. Mutates `attributes`.
 */
export function enrichResource(attributes: StringAttributes, serviceName: string, options: EnrichmentOptions = {}): string {
  for (const [alias, key] of K8S_ALIAS_PAIRS) {
    if (attributes[alias] !== undefined && attributes[key] === undefined) attributes[key] = attributes[alias];
  }
  for (const key of K8S_ATTRIBUTES) {
    const value = attributes[key]?.trim();
    if (value) attributes[key] = value;
    else delete attributes[key];
  }
  const service = serviceName.trim() || attributes['service.name']?.trim() || fallbackServiceName(attributes, options);
  attributes['service.name'] = service;
  const declared = attributes['deployment.environment.name'] ?? attributes['deployment.environment'] ?? '';
  attributes.environment = normaliseEnvironment(declared) || normaliseEnvironment(options.defaultEnvironment ?? 'production');
  if (options.staticAttributes) for (const [key, value] of Object.entries(options.staticAttributes)) attributes[key] ??= value;
  return service;
}

function fallbackServiceName(attributes: StringAttributes, options: EnrichmentOptions): string {
  if (options.defaultServiceName) return options.defaultServiceName;
  const executable = attributes['process.executable.name'];
  return executable ? `unknown_service:${executable}` : 'unknown_service';
}
