/**
 * A local stand-in for the PagerDuty Events API v2, for tests, over HTTPS (pdjs speaks https only) with a
 * self-signed certificate made at start (openssl) whose PEM is `caPem`. `POST /v2/enqueue` checks the documented
 * event schema — routing_key (a known 32-character integration key), event_action, dedup_key (required to
 * acknowledge or resolve), and for a trigger payload.summary (≤1024), payload.source, payload.severity
 * (critical|error|warning|info) — and answers 202 `{status:"success", message:"Event processed", dedup_key}`, 400
 * `{status:"invalid event", message:"Event object is invalid", errors}`, or an injected 429. It keeps each alert's
 * state per (routing key, dedup key) as PagerDuty would, and records every request. It also signs v3 webhooks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pagerDutySignature } from '../webhook';

export interface PagerDutyRecordedEvent {
  readonly headers: Readonly<IncomingHttpHeaders>;
  readonly body: Record<string, unknown>;
  readonly status: number;
  readonly answer: unknown;
  readonly at: number;
}

export interface PagerDutyAlert {
  readonly routingKey: string;
  readonly dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  /** Every accepted action on this alert, in order. */
  readonly actions: ('trigger' | 'acknowledge' | 'resolve')[];
}

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);
const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);

/** A self-signed certificate for 127.0.0.1 and localhost, valid a day. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pd-contract-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class PagerDutyContractServer {
  readonly events: PagerDutyRecordedEvent[] = [];
  private readonly alerts = new Map<string, PagerDutyAlert>();
  private readonly routingKeys = new Set<string>();
  private readonly failures: { remaining: number; status: number; retryAfterSeconds?: number }[] = [];

  private constructor(
    private readonly server: https.Server,
    /** What Vigil's PAGERDUTY_EVENTS_URL takes. */
    readonly url: string,
    /** The certificate to trust (PAGERDUTY_CA_FILE). */
    readonly caPem: string,
  ) {}

  static async start(options: { routingKeys?: readonly string[] } = {}): Promise<PagerDutyContractServer> {
    const { key, cert } = selfSignedCertificate();
    const holder: { instance?: PagerDutyContractServer } = {};
    const server = https.createServer({ key, cert }, (req, res) => void holder.instance?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const instance = new PagerDutyContractServer(server, `https://127.0.0.1:${port}`, cert);
    for (const routingKey of options.routingKeys ?? []) instance.addRoutingKey(routingKey);
    holder.instance = instance;
    return instance;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Integration keys are 32 characters. */
  addRoutingKey(routingKey: string): void {
    if (routingKey.length !== 32) throw new Error('PagerDuty integration (routing) keys are 32 characters');
    this.routingKeys.add(routingKey);
  }

  /** The next `times` events are answered with `status` (429 carries Retry-After). */
  failNext(failure: { status: number; times?: number; retryAfterSeconds?: number }): void {
    this.failures.push({ remaining: failure.times ?? 1, status: failure.status, retryAfterSeconds: failure.retryAfterSeconds });
  }

  /** Accepted events (202), oldest first. */
  accepted(filter: { action?: string; routingKey?: string; dedupKey?: string } = {}): Record<string, unknown>[] {
    return this.events
      .filter((e) => e.status === 202)
      .map((e) => e.body)
      .filter((b) => (!filter.action || b.event_action === filter.action) && (!filter.routingKey || b.routing_key === filter.routingKey) && (!filter.dedupKey || b.dedup_key === filter.dedupKey));
  }

  alert(routingKey: string, dedupKey: string): PagerDutyAlert | undefined {
    return this.alerts.get(`${routingKey}\n${dedupKey}`);
  }

  /** A v3 webhook as PagerDuty would POST it for an incident whose alert has `incidentKey`, with its signature header. */
  webhook(secret: string, event: { id?: string; eventType: string; incidentKey: string; agentType?: string; agentId?: string }): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify({
      event: {
        id: event.id ?? `01${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
        event_type: event.eventType,
        resource_type: 'incident',
        occurred_at: new Date().toISOString(),
        agent: { id: event.agentId ?? 'PUSER01', type: event.agentType ?? 'user_reference', summary: 'On-call Person', html_url: 'https://acme.pagerduty.com/users/PUSER01', self: 'https://api.pagerduty.com/users/PUSER01' },
        client: null,
        data: {
          id: 'Q0INCIDENT1',
          type: 'incident',
          self: 'https://api.pagerduty.com/incidents/Q0INCIDENT1',
          html_url: 'https://acme.pagerduty.com/incidents/Q0INCIDENT1',
          number: 1,
          status: event.eventType.replace('incident.', ''),
          incident_key: event.incidentKey,
          title: 'Vigil incident',
          urgency: 'high',
        },
      },
    });
    return { body, headers: { 'content-type': 'application/json', 'x-pagerduty-signature': pagerDutySignature(secret, body), 'user-agent': 'PagerDuty-Webhook/V3.0' } };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => resolve(text));
    });
    let body: Record<string, unknown> = {};
    let parsed = true;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      parsed = false;
    }
    const reply = (status: number, answer: unknown, headers: Record<string, string> = {}) => {
      this.events.push({ headers: req.headers, body, status, answer, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(answer));
    };
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v2/enqueue') return reply(404, { status: 'not found' });
    if (!parsed || typeof body !== 'object' || body === null) return reply(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Body is not valid JSON'] });
    const failure = this.failures.find((f) => f.remaining > 0);
    if (failure) {
      failure.remaining--;
      return reply(failure.status, { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' }, failure.status === 429 && failure.retryAfterSeconds ? { 'retry-after': String(failure.retryAfterSeconds) } : {});
    }
    const errors = this.validate(body);
    if (errors.length) return reply(400, { status: 'invalid event', message: 'Event object is invalid', errors });
    const routingKey = body.routing_key as string;
    const action = body.event_action as 'trigger' | 'acknowledge' | 'resolve';
    const dedupKey = (body.dedup_key as string | undefined) ?? `generated-${this.events.length}`;
    const key = `${routingKey}\n${dedupKey}`;
    const alert = this.alerts.get(key);
    if (action === 'trigger') {
      const summary = String((body.payload as Record<string, unknown>).summary);
      if (!alert || alert.status === 'resolved') this.alerts.set(key, { routingKey, dedupKey, status: 'triggered', summary, actions: ['trigger'] });
      else alert.actions.push('trigger'); // an open alert: the trigger is deduplicated into it
    } else if (alert && alert.status !== 'resolved') {
      alert.status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
      alert.actions.push(action);
    }
    reply(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  }

  private validate(body: Record<string, unknown>): string[] {
    const errors: string[] = [];
    const routingKey = body.routing_key;
    if (typeof routingKey !== 'string' || routingKey.length !== 32) errors.push('Length of \'routing_key\' is incorrect (should be 32 characters)');
    else if (this.routingKeys.size && !this.routingKeys.has(routingKey)) errors.push("Invalid routing key");
    if (typeof body.event_action !== 'string' || !ACTIONS.has(body.event_action)) errors.push("'event_action' is missing or blank");
    if (body.dedup_key !== undefined && (typeof body.dedup_key !== 'string' || body.dedup_key.length === 0 || body.dedup_key.length > 255)) errors.push("'dedup_key' must be 1 to 255 characters");
    if ((body.event_action === 'acknowledge' || body.event_action === 'resolve') && typeof body.dedup_key !== 'string') errors.push("'dedup_key' is required to acknowledge or resolve");
    if (body.event_action === 'trigger') {
      const payload = body.payload as Record<string, unknown> | undefined;
      if (!payload || typeof payload !== 'object') errors.push("'payload' is missing");
      else {
        if (typeof payload.summary !== 'string' || payload.summary === '') errors.push("'payload.summary' is missing or blank");
        else if (payload.summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
        if (typeof payload.source !== 'string' || payload.source === '') errors.push("'payload.source' is missing or blank");
        if (typeof payload.severity !== 'string' || !SEVERITIES.has(payload.severity)) errors.push("'payload.severity' must be one of critical, error, warning, info");
        if (payload.timestamp !== undefined && Number.isNaN(Date.parse(String(payload.timestamp)))) errors.push("'payload.timestamp' is not ISO 8601");
      }
    }
    if (body.links !== undefined && (!Array.isArray(body.links) || body.links.some((l) => typeof (l as { href?: unknown }).href !== 'string'))) errors.push("'links' must be a list of {href, text}");
    return errors;
  }
}
