import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Hash, Loading, Section, Time } from '../components/common';
import { navigate, useAsync, useLiveRefresh } from '../hooks';
import { ApiError } from '../lib/api';
import { isoToLocalInput, justAfter, localInputToIso } from '../lib/time';
import { StoredEvent, VerifyReport } from '../lib/types';
import { useSession } from '../session';

/** Chain verification and the last sealed checkpoint. */
function VerifyPanel() {
  const { api } = useSession();
  const verify = useAsync(async (signal) => {
    try {
      return await api.get<VerifyReport>('/api/audit/verify', signal);
    } catch (error) {
      // 409: the log does not verify; the body is still the report.
      if (error instanceof ApiError && error.status === 409 && error.body && typeof error.body === 'object' && 'intact' in error.body) return error.body as VerifyReport;
      throw error;
    }
  }, []);
  const report = verify.data;
  return (
    <Section
      title="Chain verification"
      id="verify"
      actions={
        <button type="button" onClick={verify.reload} disabled={verify.loading}>
          {verify.loading ? 'Verifying…' : 'Verify again'}
        </button>
      }
    >
      {verify.error ? <ErrorBox error={verify.error} title="Verification could not run" /> : null}
      {!report && !verify.error && <Loading what="the verification" />}
      {report && (
        <div class="verify" role="status" aria-live="polite">
          <p class={`verify-status ${report.intact ? 'intact' : 'tampered'}`}>
            <strong>{report.intact ? '✓ The audit log is intact' : '✗ The audit log does NOT verify'}</strong>
          </p>
          <dl class="facts">
            <dt>Events checked</dt>
            <dd>{report.eventsChecked}</dd>
            <dt>Streams checked</dt>
            <dd>{report.streamsChecked}</dd>
            <dt>Checkpoints checked</dt>
            <dd>{report.checkpointsChecked}</dd>
            <dt>Events after the last seal</dt>
            <dd>{report.unsealedEvents}</dd>
            <dt>Last sealed checkpoint</dt>
            <dd class="last-checkpoint">
              {report.lastCheckpoint ? (
                <>
                  #{report.lastCheckpoint.seq} up to position <code>{report.lastCheckpoint.toPosition}</code>, sealed <Time iso={report.lastCheckpoint.sealedAt} /> with key{' '}
                  <code>{report.lastCheckpoint.keyId}</code>, hash <Hash hash={report.lastCheckpoint.hash} />
                </>
              ) : (
                <span class="muted">none sealed yet</span>
              )}
            </dd>
            {!report.intact && (
              <>
                <dt>First bad position</dt>
                <dd>
                  <code>{report.firstBadPosition ?? '—'}</code>
                </dd>
                <dt>First bad checkpoint</dt>
                <dd>{report.firstBadCheckpoint ?? '—'}</dd>
                <dt>Failures</dt>
                <dd>
                  <pre class="json">{JSON.stringify(report.failures, null, 2)}</pre>
                </dd>
              </>
            )}
          </dl>
        </div>
      )}
    </Section>
  );
}

/** The whole log as JSON lines, fetched with the token and saved through a blob. */
function ExportButton() {
  const { api } = useSession();
  const [state, setState] = useState<{ busy: boolean; error?: unknown; done?: string }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      const response = await api.raw('/api/audit/export');
      if (!response.ok) throw new ApiError(response.status, `HTTP.${response.status}`, `Export failed: HTTP ${response.status}`);
      const blob = await response.blob();
      const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `vigil-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false, done: `Downloaded ${name} (${blob.size} bytes).` });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return (
    <div class="export">
      <button type="button" onClick={() => void download()} disabled={state.busy}>
        {state.busy ? 'Exporting…' : 'Export the log (JSONL)'}
      </button>
      {state.done && (
        <span class="muted small" role="status">
          {' '}
          {state.done}
        </span>
      )}
      <ErrorBox error={state.error} />
    </div>
  );
}

interface Filters {
  stream: string;
  actor: string;
  type: string;
  after: string;
  before: string;
}

const FILTER_KEYS: (keyof Filters)[] = ['stream', 'actor', 'type', 'after', 'before'];

function filterQuery(filters: Filters, after?: string): string {
  const q = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) q.set(key, filters[key]);
  if (after) q.set('after', after);
  q.set('limit', '100');
  return q.toString();
}

const actorOf = (e: StoredEvent) => (typeof e.metadata?.actor === 'string' ? e.metadata.actor : '—');

function EventRow({ event }: { event: StoredEvent }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr class="event-row" data-type={event.type}>
        <td>
          <code class="small">{event.position}</code>
        </td>
        <td>
          <Time iso={event.recordedAt} />
        </td>
        <td>
          <a href={`#/audit/travel?stream=${encodeURIComponent(event.streamId)}&at=${encodeURIComponent(justAfter(event.recordedAt))}`} title="See this stream as it stood after this event">
            {event.streamId}
          </a>{' '}
          <span class="muted small">v{event.streamVersion}</span>
        </td>
        <td>{event.type}</td>
        <td>{actorOf(event)}</td>
        <td>
          <Hash hash={event.hash} length={10} />
        </td>
        <td>
          <button type="button" class="small" aria-expanded={open} onClick={() => setOpen(!open)} aria-label={`${open ? 'Hide' : 'Show'} data of ${event.type} at ${event.position}`}>
            {open ? 'Hide' : 'Data'}
          </button>
        </td>
      </tr>
      {open && (
        <tr class="event-data">
          <td colSpan={7}>
            <pre class="json">{JSON.stringify({ data: event.data, metadata: event.metadata, eventId: event.eventId }, null, 2)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

/** The event log with filters (stream, actor, type, time range), paged with `next`. */
function EventLog({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const current: Filters = { stream: query.get('stream') ?? '', actor: query.get('actor') ?? '', type: query.get('type') ?? '', after: query.get('after') ?? '', before: query.get('before') ?? '' };
  const key = filterQuery(current);
  const [form, setForm] = useState<Filters>(current);
  useEffect(() => setForm(current), [key]);
  const [pages, setPages] = useState<{ items: StoredEvent[]; next: string | null } | undefined>();
  const [more, setMore] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const first = useAsync((signal) => api.get<{ items: StoredEvent[]; next: string | null }>(`/api/audit/events?${key}`, signal), [key]);
  useEffect(() => setPages(first.data), [first.data]);
  const [newEvents, setNewEvents] = useState(0);
  useEffect(() => setNewEvents(0), [first.data]);
  useLiveRefresh(() => true, () => setNewEvents((n) => n + 1), 3_600_000);

  const apply = (e: Event) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of FILTER_KEYS) if (form[k].trim()) q.set(k, form[k].trim());
    navigate(`#/audit${q.toString() ? `?${q}` : ''}`);
    first.reload();
  };
  const loadMore = async () => {
    if (!pages?.next) return;
    setMore({ busy: true });
    try {
      const page = await api.get<{ items: StoredEvent[]; next: string | null }>(`/api/audit/events?${filterQuery({ ...current, after: '' }, pages.next)}`);
      setPages({ items: [...pages.items, ...page.items], next: page.next });
      setMore({ busy: false });
    } catch (error) {
      setMore({ busy: false, error });
    }
  };
  const field = (name: keyof Filters, label: string, placeholder: string, list?: string) => (
    <div class="field">
      <label for={`filter-${name}`}>{label}</label>
      <input id={`filter-${name}`} name={name} value={form[name]} placeholder={placeholder} list={list} onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })} />
    </div>
  );
  const timeField = (name: 'after' | 'before', label: string) => (
    <div class="field">
      <label for={`filter-${name}`}>{label}</label>
      <input
        id={`filter-${name}`}
        name={name}
        type="datetime-local"
        step={1}
        value={isoToLocalInput(form[name])}
        onInput={(e) => setForm({ ...form, [name]: localInputToIso((e.target as HTMLInputElement).value) ?? '' })}
      />
    </div>
  );
  return (
    <Section title="Event log" id="events">
      <form class="filters" onSubmit={apply} aria-label="Filter the event log">
        {field('stream', 'Stream', 'approval-…')}
        {field('actor', 'Actor', 'lee')}
        {field('type', 'Event type', 'VoteCast', 'event-types')}
        {timeField('after', 'After (local time)')}
        {timeField('before', 'Before (local time)')}
        <datalist id="event-types">
          {['AnomalyDetected', 'AnomalyUpdated', 'RemediationProposed', 'RiskAssessed', 'ApprovalRequested', 'VoteCast', 'VoteRefused', 'ApprovalGranted', 'ApprovalRejected', 'ApprovalCancelled', 'ApprovalTimedOut', 'ApprovalExpired', 'EscalationLevelReached', 'ExecutionRequested', 'ExecutionSucceeded', 'ExecutionFailed', 'ExecutionVerified', 'AccessRefused'].map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <div class="filter-buttons">
          <button type="submit" class="primary">
            Apply filters
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              setForm({ stream: '', actor: '', type: '', after: '', before: '' });
              navigate('#/audit');
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {newEvents > 0 && (
        <p class="notice" role="status">
          {newEvents} new event(s) recorded.{' '}
          <button type="button" class="small" onClick={first.reload}>
            Refresh
          </button>
        </p>
      )}
      {first.error ? <ErrorBox error={first.error} title="Could not read the log" /> : null}
      {!pages && !first.error && <Loading what="events" />}
      {pages && (
        <>
          <p class="muted small" role="status">
            {pages.items.length} event(s){pages.next ? ', more available' : ''}.
          </p>
          <div class="table-scroll">
            <table class="events">
              <caption class="sr-only">Audit events in log order</caption>
              <thead>
                <tr>
                  <th scope="col">Position</th>
                  <th scope="col">Recorded</th>
                  <th scope="col">Stream</th>
                  <th scope="col">Type</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Hash</th>
                  <th scope="col">
                    <span class="sr-only">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {pages.items.map((e) => (
                  <EventRow key={e.position} event={e} />
                ))}
              </tbody>
            </table>
          </div>
          {pages.next && (
            <button type="button" onClick={() => void loadMore()} disabled={more.busy}>
              {more.busy ? 'Loading…' : 'Load more'}
            </button>
          )}
          <ErrorBox error={more.error} />
        </>
      )}
    </Section>
  );
}

export function Audit({ query }: { query: URLSearchParams }) {
  return (
    <div class="audit">
      <div class="panel-head">
        <h1>Auditor console</h1>
        <ExportButton />
      </div>
      <p>
        <a href="#/audit/travel">Time travel: see an approval or incident as it stood at any time →</a>
      </p>
      <VerifyPanel />
      <EventLog query={query} />
    </div>
  );
}
