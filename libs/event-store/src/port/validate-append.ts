import { InvalidAppendError } from './errors';
import { NewEvent } from './events';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validateAppend(streamId: string, events: readonly NewEvent[]): void {
  if (!streamId || streamId.length > 200) throw new InvalidAppendError('Stream id must be 1–200 characters');
  if (events.length === 0) throw new InvalidAppendError('Append needs at least one event');
  for (const event of events) {
    if (!UUID.test(event.eventId)) throw new InvalidAppendError(`Event id ${event.eventId} is not a UUID`);
    if (!event.type) throw new InvalidAppendError('Event type is required');
    if (!event.metadata?.recordedAt || Number.isNaN(Date.parse(event.metadata.recordedAt))) {
      throw new InvalidAppendError(`Event ${event.eventId}: metadata.recordedAt must be an ISO time`);
    }
  }
  if (new Set(events.map((e) => e.eventId)).size !== events.length) throw new InvalidAppendError('Event ids repeat within one append');
}
