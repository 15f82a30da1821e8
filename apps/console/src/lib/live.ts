/**
 * Live domain events over Server-Sent Events. Read with fetch so the token goes in the Authorization header (not in
 * the URL, where proxies log it) and every event type arrives whatever its name; resumes with Last-Event-ID.
 */
import { Api } from './api';
import { SseParser } from './sse-parser';
import { StoredEvent } from './types';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';
type Listener = (event: StoredEvent) => void;

export class LiveEvents {
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private abort: AbortController | undefined;
  private lastEventId: string | undefined;
  private retryMs = 2000;
  state: LiveState = 'closed';

  constructor(private readonly api: Api) {}

  start(): void {
    if (this.abort) return;
    this.abort = new AbortController();
    void this.loop(this.abort.signal);
  }

  stop(): void {
    this.abort?.abort();
    this.abort = undefined;
    this.setState('closed');
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: LiveState) {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private async loop(signal: AbortSignal) {
    this.setState('connecting');
    while (!signal.aborted) {
      try {
        const response = await this.api.raw('/api/events/stream', {
          signal,
          headers: { accept: 'text/event-stream', ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}) },
        });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        this.setState('live');
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const message of parser.push(value)) {
            if (message.id) this.lastEventId = message.id;
            let event: StoredEvent;
            try {
              event = JSON.parse(message.data) as StoredEvent;
            } catch {
              continue;
            }
            for (const listener of this.listeners) listener(event);
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        void error;
      }
      if (signal.aborted) return;
      this.setState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
  }
}
