import { canonicalJson } from '@vigil/domain/shared';
import { eventDigest, serialiseEvent } from './event-hash';

describe('event serialisation for the append path', () => {
  const samples = [
    { streamId: 'approval-1', eventId: '00000000-0000-4000-8000-000000000001', type: 'VoteCast', data: { b: 1, a: [1, { z: null, y: 'é\u2028"' }] }, metadata: { actor: 'lee', recordedAt: '2026-01-01T00:00:00.000Z', schemaVersion: 1 } },
    { streamId: 's', eventId: 'e', type: 't', data: null, metadata: {} },
    { streamId: 's', eventId: 'e', type: 't', data: { undefinedIsDropped: undefined, n: -0.5e-7 }, metadata: { extra: { nested: true } } },
  ];

  it.each(samples)('digests exactly like eventDigest (canonical JSON of the whole event)', (event) => {
    expect(serialiseEvent(event).digest).toBe(eventDigest(event));
  });

  it('hands the jsonb columns canonical JSON that parses back to the same values', () => {
    const { dataJson, metadataJson } = serialiseEvent(samples[0]);
    expect(JSON.parse(dataJson)).toEqual(samples[0].data);
    expect(metadataJson).toBe(canonicalJson(samples[0].metadata));
  });
});
