import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Hash, JsonView, Loading, Section, StatusBadge, Time, TierBadge } from '../components/common';
import { navigate, useAsync } from '../hooks';
import { isNotFound } from '../lib/api';
import { paramText } from '../lib/format';
import { requirementProgress } from '../lib/rules';
import { isoToLocalInput, justAfter, justBefore, localInputToIso } from '../lib/time';
import { Action, StoredEvent, StreamSnapshot, Tier, Vote } from '../lib/types';
import { useSession } from '../session';

interface ApprovalStreamState {
  readonly status: string;
  readonly approval?: { approvalId: string; proposalId: string; proposalVersion: number; actionHash: string; tier: Tier; requiredRoles: string[][]; proposer: string; requestedAt: string };
  readonly votes?: Vote[];
  readonly deadline?: string;
  readonly level?: number;
  readonly reason?: string;
  readonly rejectedBy?: string;
}

interface ProposalStreamState {
  readonly status: string;
  readonly proposal?: { action?: Action; version?: number; rationale?: string; proposer?: string };
  readonly assessment?: { tier?: Tier };
}

const travelHref = (stream: string, at?: string) => `#/audit/travel?stream=${encodeURIComponent(stream)}${at ? `&at=${encodeURIComponent(at)}` : ''}`;

/** An approval as its stream's state shows it. */
function ApprovalState({ state }: { state: ApprovalStreamState }) {
  const a = state.approval;
  if (!a) return <JsonView value={state} />;
  const progress = requirementProgress(a.requiredRoles, state.votes ?? []);
  return (
    <div class="approval-then">
      <p>
        Status then: <StatusBadge status={state.status} /> <TierBadge tier={a.tier} />{' '}
        {state.status === 'Pending' && (
          <span class="muted small">
            next escalation at <Time iso={state.deadline} /> (level {state.level})
          </span>
        )}
      </p>
      <dl class="facts">
        <dt>Proposal</dt>
        <dd>
          <a href={travelHref(`proposal-${a.proposalId}`)}>{a.proposalId.slice(0, 8)}</a> v{a.proposalVersion}, action hash <Hash hash={a.actionHash} />
        </dd>
        <dt>Proposer</dt>
        <dd>{a.proposer}</dd>
        <dt>Approvers</dt>
        <dd>
          <ul class="requirement-list">
            {progress.map((p, i) => (
              <li key={i}>
                {p.requirement.join(' or ')}: {p.by ? `approved by ${p.by}` : 'still needed'}
              </li>
            ))}
          </ul>
        </dd>
        <dt>Votes</dt>
        <dd>
          {(state.votes ?? []).length === 0 ? (
            <span class="votes-none">none yet</span>
          ) : (
            <ul>
              {(state.votes ?? []).map((v) => (
                <li key={v.by}>
                  {v.by} ({v.roles.join(', ')}) {v.decision} at <Time iso={v.at} />
                  {v.reason ? `: ${v.reason}` : ''}
                </li>
              ))}
            </ul>
          )}
        </dd>
        {state.reason && (
          <>
            <dt>Reason</dt>
            <dd>
              {state.reason} {state.rejectedBy ? `(${state.rejectedBy})` : ''}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

/** The proposal's action as of a time: what an approver was shown. */
function ProposalThen({ proposalId, at, vote }: { proposalId: string; at: string; vote?: { proposalVersion?: number; actionHash?: string } }) {
  const { api } = useSession();
  const snap = useAsync((signal) => api.get<StreamSnapshot>(`/api/streams/${encodeURIComponent(`proposal-${proposalId}`)}?asOf=${encodeURIComponent(at)}`, signal), [proposalId, at]);
  if (snap.error) return <ErrorBox error={snap.error} />;
  if (!snap.data) return <Loading what="the proposal then" />;
  const state = snap.data.state as ProposalStreamState;
  const action = state.proposal?.action;
  return (
    <div class="proposal-then">
      <h4>The action as proposed then (v{state.proposal?.version ?? '?'})</h4>
      {action ? (
        <dl class="facts">
          <dt>Action</dt>
          <dd>
            <code>{action.kind}</code> on <code>{action.target}</code>
          </dd>
          <dt>Parameters</dt>
          <dd>
            {Object.entries(action.params ?? {}).map(([k, v]) => (
              <span key={k} class="param">
                {k}=<code>{paramText(v)}</code>{' '}
              </span>
            ))}
            {Object.keys(action.params ?? {}).length === 0 && <span class="muted">none</span>}
          </dd>
          {state.assessment?.tier && (
            <>
              <dt>Assessed tier</dt>
              <dd>
                <TierBadge tier={state.assessment.tier} />
              </dd>
            </>
          )}
          {vote && (
            <>
              <dt>The vote was for</dt>
              <dd>
                v{vote.proposalVersion ?? '?'}, hash <Hash hash={vote.actionHash} />
              </dd>
            </>
          )}
        </dl>
      ) : (
        <JsonView value={state} />
      )}
    </div>
  );
}

/** Any stream as it stood at a chosen time; for approvals, what each voter saw when they voted. */
export function TimeTravel({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const stream = query.get('stream') ?? '';
  const at = query.get('at') ?? '';
  const [streamInput, setStreamInput] = useState(stream);
  const [atInput, setAtInput] = useState(at);
  useEffect(() => {
    setStreamInput(stream);
    setAtInput(at);
  }, [stream, at]);

  const full = useAsync((signal) => (stream ? api.get<StreamSnapshot>(`/api/streams/${encodeURIComponent(stream)}`, signal) : Promise.resolve(undefined)), [stream]);
  const then = useAsync(
    (signal) => (stream && at ? api.get<StreamSnapshot>(`/api/streams/${encodeURIComponent(stream)}?asOf=${encodeURIComponent(at)}`, signal) : Promise.resolve(undefined)),
    [stream, at],
  );
  const go = (s: string, t?: string) => navigate(travelHref(s, t));
  const events: readonly StoredEvent[] = full.data?.events ?? [];
  const shown = then.data ?? (at ? undefined : full.data);
  const votes = events.filter((e) => e.type === 'VoteCast' || e.type === 'VoteRefused');
  const aggregate = full.data?.aggregate ?? stream.split('-')[0];
  const approvalState = aggregate === 'approval' ? (shown?.state as ApprovalStreamState | undefined) : undefined;
  const seenAs = query.get('voter');

  return (
    <div class="time-travel">
      <h1>Time travel</h1>
      <form
        class="filters"
        aria-label="Choose a stream and a time"
        onSubmit={(e) => {
          e.preventDefault();
          if (streamInput.trim()) go(streamInput.trim(), atInput.trim() ? (localInputToIso(atInput.trim()) ?? atInput.trim()) : undefined);
        }}
      >
        <div class="field">
          <label for="tt-stream">Stream</label>
          <input id="tt-stream" value={streamInput} placeholder="approval-… or anomaly-…" required onInput={(e) => setStreamInput((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="tt-at">As of (ISO-8601; empty for now)</label>
          <input id="tt-at" value={atInput} placeholder="2026-01-01T12:00:00.000Z" onInput={(e) => setAtInput((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="tt-pick">…or pick a local time</label>
          <input
            id="tt-pick"
            type="datetime-local"
            step={1}
            value={isoToLocalInput(Date.parse(atInput) ? atInput : undefined)}
            onInput={(e) => setAtInput(localInputToIso((e.target as HTMLInputElement).value) ?? '')}
          />
        </div>
        <div class="filter-buttons">
          <button type="submit" class="primary">
            Show as of then
          </button>{' '}
          <button type="button" onClick={() => streamInput.trim() && go(streamInput.trim())} disabled={!streamInput.trim()}>
            Now
          </button>
        </div>
      </form>

      {!stream && <p class="muted">Pick a stream (an approval, anomaly, proposal, execution…) from the queue, an incident or the event log.</p>}
      {full.error ? <ErrorBox error={full.error} title="Could not load the stream" /> : null}
      {then.error ? <ErrorBox error={then.error} title={isNotFound(then.error) ? 'Nothing had happened on this stream by then' : 'Could not load the stream then'} /> : null}

      {stream && shown && (
        <Section title={at ? `${stream} as it stood at ${at}` : `${stream} now`} id="then">
          <p class="muted small" role="status">
            {at ? (
              <>
                As of <Time iso={at} />: version {shown.version}, {shown.events.length} event(s) of {events.length}.
              </>
            ) : (
              <>Current: version {shown.version}.</>
            )}
          </p>
          {aggregate === 'anomaly' && (
            <p>
              <a href={`#/incidents/${stream.slice('anomaly-'.length)}${at ? `?asOf=${encodeURIComponent(at)}` : ''}`}>The incident timeline {at ? 'as it stood then' : 'now'} →</a>
            </p>
          )}
          {seenAs && at && <p class="notice">This is what <strong>{seenAs}</strong> saw just before their vote was recorded.</p>}
          {approvalState ? <ApprovalState state={approvalState} /> : <JsonView value={shown.state} />}
          {approvalState?.approval && at && <ProposalThen proposalId={approvalState.approval.proposalId} at={at} vote={seenAs ? votes.find((v) => v.data.by === seenAs)?.data as { proposalVersion?: number; actionHash?: string } : undefined} />}
        </Section>
      )}

      {votes.length > 0 && (
        <Section title="What each voter saw" id="voters">
          <ul class="voter-views">
            {votes.map((v) => {
              const by = String(v.data.by ?? v.metadata.actor ?? '?');
              return (
                <li key={v.position}>
                  <a href={`${travelHref(stream, justBefore(v.recordedAt))}&voter=${encodeURIComponent(by)}`}>
                    What {by} saw when voting {v.type === 'VoteRefused' ? '(refused)' : String(v.data.decision ?? '')}
                  </a>{' '}
                  <span class="muted small">
                    <Time iso={v.recordedAt} />
                  </span>
                </li>
              );
            })}
          </ul>
        </Section>
      )}

      {events.length > 0 && (
        <Section title="Events on this stream" id="stream-events">
          <ol class="stream-events">
            {events.map((e) => {
              const included = shown ? shown.events.some((x) => x.position === e.position) : true;
              return (
                <li key={e.position} class={included ? 'included' : 'later'}>
                  <strong>{e.type}</strong> by {String(e.metadata.actor ?? '—')} at <Time iso={e.recordedAt} />{' '}
                  {!included && <span class="badge">after the chosen time</span>}{' '}
                  <a class="small" href={travelHref(stream, justBefore(e.recordedAt))} aria-label={`Just before ${e.type} (v${e.streamVersion})`}>
                    just before
                  </a>{' '}
                  <a class="small" href={travelHref(stream, justAfter(e.recordedAt))} aria-label={`Just after ${e.type} (v${e.streamVersion})`}>
                    just after
                  </a>
                </li>
              );
            })}
          </ol>
        </Section>
      )}
      {full.loading && !full.data && stream && <Loading what="the stream" />}
    </div>
  );
}
