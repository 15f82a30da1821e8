import { ApprovalCard } from '../components/ApprovalCard';
import { ErrorBox, JsonView, Loading, StatusBadge, Time } from '../components/common';
import { AnomalyChart } from '../components/Evidence';
import { useAsync, useLiveRefresh } from '../hooks';
import { isNotFound } from '../lib/api';
import { isoToLocalInput, localInputToIso } from '../lib/time';
import { Approval, Execution, IncidentTimeline, TimelineEntry } from '../lib/types';
import { useSession } from '../session';

/** The incident's stages in the order they happen. */
const STAGES = [
  { kind: 'anomaly', label: 'Anomaly' },
  { kind: 'investigation', label: 'Investigation', also: ['finding'] },
  { kind: 'proposal', label: 'Proposals', also: ['risk'] },
  { kind: 'approval', label: 'Approvals', also: ['vote'] },
  { kind: 'escalation', label: 'Escalations' },
  { kind: 'execution', label: 'Executions' },
  { kind: 'verification', label: 'Verification' },
] as const;

const stageOf = (kind: string) => STAGES.find((s) => s.kind === kind || ('also' in s && (s.also as readonly string[]).includes(kind)))?.kind ?? kind;
const entryKey = (e: TimelineEntry, i: number) => String(e.position ?? e.seq ?? i);

/** Where an entry's entity can be looked at. */
function entityLink(entry: TimelineEntry): { href: string; text: string } | undefined {
  switch (entry.entityType) {
    case 'approval':
      return { href: `#/approvals/${entry.entityId}`, text: 'approval' };
    case 'execution':
      return { href: `#/executions/${entry.entityId}`, text: 'execution' };
    default:
      return entry.entityId ? { href: `#/audit/travel?stream=${encodeURIComponent(`${entry.entityType}-${entry.entityId}`)}`, text: entry.entityType } : undefined;
  }
}

function ExecutionOutcome({ id }: { id: string }) {
  const { api } = useSession();
  const execution = useAsync((signal) => api.get<Execution>(`/api/executions/${id}`, signal), [id]);
  useLiveRefresh((e) => e.streamId === `execution-${id}`, execution.reload);
  if (execution.error) return <li><ErrorBox error={execution.error} /></li>;
  if (!execution.data) return <li><Loading what="the execution" /></li>;
  const x = execution.data;
  return (
    <li class={`execution-outcome status-${x.status}`} data-execution-id={x.id}>
      <a href={`#/executions/${x.id}`}>
        <code>{x.action?.kind ?? 'action'}</code> on <code>{x.action?.target ?? '?'}</code>
      </a>
      : <StatusBadge status={x.status} /> {x.attempt ? <span class="muted small">attempt {x.attempt}</span> : null}
      {x.error ? <span class="error-text"> {String(typeof x.error === 'string' ? x.error : JSON.stringify(x.error))}</span> : null}
    </li>
  );
}

/** anomaly → investigation → proposals → approvals → escalations → executions → verification, with links. */
export function Incident({ anomalyId, asOf }: { anomalyId: string; asOf?: string }) {
  const { api } = useSession();
  const timeline = useAsync((signal) => api.get<IncidentTimeline>(`/api/incidents/${anomalyId}`, signal), [anomalyId]);
  useLiveRefresh((e) => /^(anomaly|investigation|proposal|approval|escalation|execution)-/.test(e.streamId), timeline.reload);
  if (timeline.error && !timeline.data) {
    return (
      <div>
        <h1>Incident</h1>
        <ErrorBox error={timeline.error} title={isNotFound(timeline.error) ? 'No incident timeline for this anomaly (yet)' : 'Could not load the incident'} />
        <AnomalyChart anomalyId={anomalyId} />
      </div>
    );
  }
  if (!timeline.data) return <Loading what="the incident" />;
  const { incident } = timeline.data;
  const cutoff = asOf ? Date.parse(asOf) : NaN;
  // As it stood then: the entries recorded by the chosen time (the headline stays current).
  const entries = Number.isNaN(cutoff) ? timeline.data.entries : timeline.data.entries.filter((e) => e.at !== null && Date.parse(e.at) <= cutoff);
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(stageOf(e.kind), (counts.get(stageOf(e.kind)) ?? 0) + 1);
  const firstOf = (stage: string) => entries.findIndex((e) => stageOf(e.kind) === stage);
  const executionIds = [...new Set(entries.filter((e) => e.entityType === 'execution').map((e) => e.entityId))];
  const approvalIds = [...new Set(entries.filter((e) => e.entityType === 'approval').map((e) => e.entityId))];
  return (
    <div class="incident">
      <h1>
        Incident: {incident ? `${incident.service} ${incident.operation} — ${incident.signal}` : anomalyId}
      </h1>
      {incident && (
        <p>
          <StatusBadge status={incident.status} /> <span class={`badge severity-${incident.severity}`}>{incident.severity}</span>{' '}
          <span class="muted small">
            opened <Time iso={incident.openedAt} />
            {incident.occurrences ? ` · ${incident.occurrences} occurrence(s)` : ''}
            {incident.resolution ? ` · resolved (${incident.resolution})` : ''}
          </span>
        </p>
      )}
      {incident?.leadAnomalyId && incident.leadAnomalyId !== anomalyId && (
        <p class="notice grouped-into">
          Part of a larger incident: the investigation found this anomaly to be a symptom of the fault whose{' '}
          <a href={`#/incidents/${incident.leadAnomalyId}`}>lead anomaly</a> carries the proposal.
        </p>
      )}
      {timeline.data.grouped && timeline.data.grouped.length > 0 && (
        <section class="grouped-anomalies" aria-labelledby="grouped-heading">
          <h2 id="grouped-heading">Grouped into this incident ({timeline.data.grouped.length})</h2>
          <ul>
            {timeline.data.grouped.map((g) => (
              <li key={g.anomalyId} data-anomaly={g.anomalyId}>
                <a href={`#/incidents/${g.anomalyId}`}>
                  {g.service} {g.operation} — {g.signal}
                </a>{' '}
                <span class="muted small">
                  {g.status} · <Time iso={g.openedAt} />
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {asOf && (
        <p class="notice" role="status">
          As it stood at <Time iso={asOf} />: {entries.length} of {timeline.data.entries.length} timeline entries. <a href={`#/incidents/${anomalyId}`}>Show it now</a>
        </p>
      )}
      <form
        class="inline-form"
        aria-label="See the incident as it stood at a time"
        onSubmit={(e) => {
          e.preventDefault();
          const value = ((e.currentTarget as HTMLFormElement).elements.namedItem('asOf') as HTMLInputElement).value;
          const iso = localInputToIso(value);
          window.location.hash = iso ? `#/incidents/${anomalyId}?asOf=${encodeURIComponent(iso)}` : `#/incidents/${anomalyId}`;
        }}
      >
        <label for="incident-asof">As it stood at (local time)</label>
        <input id="incident-asof" name="asOf" type="datetime-local" step={1} value={isoToLocalInput(asOf)} />
        <button type="submit">Show</button>
      </form>
      <nav class="stages" aria-label="Incident stages">
        <ol>
          {STAGES.map((s) => {
            const n = counts.get(s.kind) ?? 0;
            const first = firstOf(s.kind);
            return (
              <li key={s.kind} class={n ? 'reached' : 'not-reached'}>
                {n ? <a href={`#/incidents/${anomalyId}`} onClick={(ev) => {
                  ev.preventDefault();
                  document.getElementById(`entry-${entryKey(entries[first], first)}`)?.focus();
                }}>{s.label} ({n})</a> : <span>{s.label} (0)</span>}
              </li>
            );
          })}
        </ol>
      </nav>
      {executionIds.length > 0 && (
        <section class="panel" aria-labelledby="outcomes">
          <h2 id="outcomes">Execution outcome</h2>
          <ul class="outcomes">
            {executionIds.map((id) => (
              <ExecutionOutcome key={id} id={id} />
            ))}
          </ul>
        </section>
      )}
      <section class="panel" aria-labelledby="signal-heading">
        <h2 id="signal-heading">Signal</h2>
        <AnomalyChart anomalyId={anomalyId} />
      </section>
      <section class="panel" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        {entries.length === 0 ? (
          <p class="muted">Nothing recorded yet.</p>
        ) : (
          <ol class="timeline">
            {entries.map((e, i) => {
              const link = entityLink(e);
              const key = entryKey(e, i);
              return (
                <li key={key} id={`entry-${key}`} tabIndex={-1} class={`entry entry-${e.kind}`} data-kind={e.kind}>
                  <span class={`badge kind kind-${stageOf(e.kind)}`}>{e.kind}</span> <Time iso={e.at} /> <span class="summary">{e.summary}</span>{' '}
                  {link && (
                    <a class="small" href={link.href}>
                      open {link.text}
                    </a>
                  )}{' '}
                  {e.at && e.entityId && (
                    <a class="small" href={`#/audit/travel?stream=${encodeURIComponent(`${e.entityType}-${e.entityId}`)}&at=${encodeURIComponent(e.at)}`}>
                      as it stood then
                    </a>
                  )}
                </li>
              );
            })}
          </ol>
        )}
      </section>
      {approvalIds.length > 0 && <p class="muted small">{approvalIds.length} approval(s) on this incident.</p>}
    </div>
  );
}

export function ApprovalPage({ id }: { id: string }) {
  const { api } = useSession();
  const approval = useAsync((signal) => api.get<Approval>(`/api/approvals/${id}`, signal), [id]);
  useLiveRefresh((e) => e.streamId === `approval-${id}`, approval.reload);
  if (approval.error && !approval.data) return <ErrorBox error={approval.error} title="Could not load the approval" />;
  if (!approval.data) return <Loading what="the approval" />;
  return <ApprovalCard approval={approval.data} onVoted={approval.reload} />;
}

export function ExecutionPage({ id }: { id: string }) {
  const { api } = useSession();
  const execution = useAsync((signal) => api.get<Execution>(`/api/executions/${id}`, signal), [id]);
  useLiveRefresh((e) => e.streamId === `execution-${id}`, execution.reload);
  if (execution.error && !execution.data) return <ErrorBox error={execution.error} title="Could not load the execution" />;
  if (!execution.data) return <Loading what="the execution" />;
  const x = execution.data;
  return (
    <div class="execution">
      <h1>
        Execution of <code>{x.action?.kind}</code> on <code>{x.action?.target}</code>
      </h1>
      <p>
        <StatusBadge status={x.status} /> {x.attempt ? `attempt ${x.attempt}` : null}
      </p>
      <nav class="card-links" aria-label="Related">
        {x.approvalId && <a href={`#/approvals/${x.approvalId}`}>Approval</a>}
        <a href={`#/audit/travel?stream=${encodeURIComponent(`execution-${x.id}`)}`}>History &amp; time travel</a>
      </nav>
      <JsonView value={x} />
    </div>
  );
}

interface AnomalyRow {
  readonly id: string;
  readonly service: string;
  readonly operation: string;
  readonly signal: string;
  readonly severity: string;
  readonly status: string;
  readonly openedAt?: string;
  /** Set when an investigation grouped this anomaly into the incident another anomaly leads. */
  readonly leadAnomalyId?: string | null;
}

/** Each listed lead with the listed anomalies grouped under it; an anomaly whose lead is not listed stands alone. */
function groupByLead(items: readonly AnomalyRow[]): Array<{ head: AnomalyRow; members: AnomalyRow[] }> {
  const listed = new Set(items.map((a) => a.id));
  const leadOf = (a: AnomalyRow) => (a.leadAnomalyId && a.leadAnomalyId !== a.id && listed.has(a.leadAnomalyId) ? a.leadAnomalyId : undefined);
  const members = new Map<string, AnomalyRow[]>();
  for (const a of items) {
    const lead = leadOf(a);
    if (lead) members.set(lead, [...(members.get(lead) ?? []), a]);
  }
  return items.filter((a) => !leadOf(a)).map((head) => ({ head, members: members.get(head.id) ?? [] }));
}

function AnomalyLine({ a }: { a: AnomalyRow }) {
  return (
    <>
      <a href={`#/incidents/${a.id}`}>
        <span class={`badge severity-${a.severity}`}>{a.severity}</span> {a.service} {a.operation} — {a.signal}
      </a>{' '}
      <span class="muted small">
        {a.status} · <Time iso={a.openedAt} />
      </span>
    </>
  );
}

export function Incidents({ status }: { status: string }) {
  const { api } = useSession();
  const list = useAsync((signal) => api.get<{ items: AnomalyRow[] }>(`/api/anomalies${status === 'all' ? '' : `?status=${status}`}`, signal), [status]);
  useLiveRefresh((e) => e.streamId.startsWith('anomaly-') || e.streamId.startsWith('investigation-'), list.reload);
  return (
    <section class="panel" aria-labelledby="incidents-heading">
      <h1 id="incidents-heading">Incidents</h1>
      <nav class="tabs" aria-label="Incident status">
        {['open', 'acknowledged', 'resolved', 'all'].map((s) => (
          <a key={s} href={`#/incidents?status=${s}`} aria-current={s === status ? 'page' : undefined}>
            {s}
          </a>
        ))}
      </nav>
      {list.error ? <ErrorBox error={list.error} /> : null}
      {!list.data && !list.error ? <Loading what="incidents" /> : null}
      {list.data && list.data.items.length === 0 && <p class="muted">No {status === 'all' ? '' : status} incidents.</p>}
      <ul class="incident-list">
        {groupByLead(list.data?.items ?? []).map(({ head, members }) => (
          <li key={head.id} data-anomaly={head.id}>
            <AnomalyLine a={head} />
            {members.length > 0 && (
              <details class="grouped">
                <summary>
                  {members.length} more {members.length === 1 ? 'anomaly' : 'anomalies'} of this incident
                </summary>
                <ul>
                  {members.map((m) => (
                    <li key={m.id} data-anomaly={m.id}>
                      <AnomalyLine a={m} />
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
