import { enrichResource, normaliseEnvironment } from './enrichment';

describe('resource enrichment', () => {
  it('defaults service.name to unknown_service (with the executable when known) and environment to the configured default', () => {
    const attributes: Record<string, string> = {};
    expect(enrichResource(attributes, '')).toBe('unknown_service');
    expect(attributes).toMatchObject({ 'service.name': 'unknown_service', environment: 'production' });
    expect(enrichResource({ 'process.executable.name': 'node' }, '')).toBe('unknown_service:node');
    const staging: Record<string, string> = {};
    enrichResource(staging, 'checkout', { defaultEnvironment: 'Staging', defaultServiceName: 'unnamed' });
    expect(staging).toMatchObject({ 'service.name': 'checkout', environment: 'staging' });
  });

  it('normalises deployment.environment.name over the older deployment.environment, with common aliases', () => {
    const current = { 'deployment.environment.name': ' PROD ', 'deployment.environment': 'dev' };
    enrichResource(current, 'api');
    expect(current).toMatchObject({ environment: 'production' });
    const older = { 'deployment.environment': 'stg' };
    enrichResource(older, 'api');
    expect(older).toMatchObject({ environment: 'staging' });
    expect(normaliseEnvironment('eu-canary')).toBe('eu-canary');
  });

  it('keeps Kubernetes workload attributes, trimmed, maps short keys and drops empty ones; static attributes never override', () => {
    const attributes = { 'k8s.namespace': 'shop', 'k8s.pod.name': ' checkout-7d9f ', 'k8s.node.name': '', 'k8s.container.name': 'app', 'cloud.region': 'us-east-1' };
    enrichResource(attributes, 'checkout', { staticAttributes: { 'cloud.region': 'eu-west-1', 'vigil.cluster': 'c1' } });
    expect(attributes).toMatchObject({
      'k8s.namespace.name': 'shop', 'k8s.pod.name': 'checkout-7d9f', 'container.name': 'app', 'cloud.region': 'us-east-1', 'vigil.cluster': 'c1',
    });
    expect(attributes).not.toHaveProperty('k8s.node.name');
  });
});
