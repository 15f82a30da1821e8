import { useEffect, useRef, useState } from 'preact/hooks';
import { ApprovalCard } from '../components/ApprovalCard';
import { Countdown, ErrorBox, Loading, TierBadge } from '../components/common';
import { useAsync, useLiveRefresh } from '../hooks';
import { requirementProgress } from '../lib/rules';
import { Approval, ApprovalStatus } from '../lib/types';
import { useSession } from '../session';

const STATUSES: readonly ApprovalStatus[] = ['pending', 'granted', 'rejected', 'expired', 'cancelled'];

const byDeadline = (a: Approval, b: Approval) => (a.deadline ? Date.parse(a.deadline) : Infinity) - (b.deadline ? Date.parse(b.deadline) : Infinity) || String(a.requestedAt).localeCompare(String(b.requestedAt));

const touchesApprovals = (streamId: string) => /^(approval|proposal|escalation)-/.test(streamId);

function QueueItem({ approval, selected, status }: { approval: Approval; selected: boolean; status: ApprovalStatus }) {
  const needed = requirementProgress(approval.requiredRoles, approval.votes).filter((p) => !p.by);
  return (
    <li class={`queue-item${selected ? ' selected' : ''}`} data-approval-id={approval.id}>
      <a href={`#/queue/${approval.id}${status === 'pending' ? '' : `?status=${status}`}`} aria-current={selected ? 'true' : undefined}>
        <span class="queue-line">
          <TierBadge tier={approval.tier} /> <code class="action-kind">{approval.action?.kind ?? 'action'}</code> <span class="target">{approval.action?.target}</span>
        </span>
        <span class="queue-line small">
          {approval.status === 'pending' ? <Countdown deadline={approval.deadline} level={approval.escalationLevel} /> : <span class="badge status">{approval.status}</span>}
        </span>
        <span class="queue-line small muted">
          {approval.status === 'pending' && (needed.length ? <>needs {needed.map((p) => p.requirement.join(' or ')).join(' + ')}</> : <>all approvers in</>)}
          {' · '}
          {approval.votes.length ? `voted: ${approval.votes.map((v) => `${v.by} (${v.decision})`).join(', ')}` : 'no votes yet'} · by {approval.proposer}
        </span>
      </a>
    </li>
  );
}

/** One approval, live: reloads when its stream changes (someone else's vote). */
function Selected({ id, fallback, onVoted }: { id: string; fallback?: Approval; onVoted: () => void }) {
  const { api } = useSession();
  const approval = useAsync((signal) => api.get<Approval>(`/api/approvals/${id}`, signal), [id]);
  useLiveRefresh((e) => e.streamId === `approval-${id}` || (fallback !== undefined && e.streamId === `proposal-${fallback.proposalId}`), approval.reload);
  const data = approval.data ?? fallback;
  if (!data) return approval.error ? <ErrorBox error={approval.error} title="Could not load the approval" /> : <Loading what="the approval" />;
  // The list has the full action when the single read fell back to the stream.
  const merged: Approval = fallback && !data.action ? { ...fallback, ...data, action: fallback.action } : data;
  return (
    <ApprovalCard
      approval={merged}
      onVoted={() => {
        approval.reload();
        onVoted();
      }}
    />
  );
}

/** The approval queue: pending approvals by deadline, live, with the selected one's card beside (below on a phone). */
export function Queue({ selectedId, status }: { selectedId?: string; status: ApprovalStatus }) {
  const { api } = useSession();
  const list = useAsync((signal) => api.get<{ items: Approval[] }>(`/api/approvals?status=${status}`, signal), [status]);
  useLiveRefresh((e) => touchesApprovals(e.streamId), list.reload);
  const items = [...(list.data?.items ?? [])].sort(byDeadline);
  const known = useRef<Set<string> | undefined>(undefined);
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    if (!list.data) return;
    const ids = new Set(list.data.items.map((a) => a.id));
    if (known.current && status === 'pending') {
      const added = list.data.items.filter((a) => !known.current?.has(a.id));
      if (added.length) setAnnouncement(`New approval${added.length > 1 ? 's' : ''}: ${added.map((a) => `${a.tier} ${a.action?.kind ?? ''} on ${a.action?.target ?? ''}`).join('; ')}`);
    }
    known.current = ids;
  }, [list.data, status]);
  useEffect(() => {
    known.current = undefined;
  }, [status]);
  const selected = items.find((a) => a.id === selectedId);
  return (
    <div class={`queue-layout${selectedId ? ' has-selection' : ''}`}>
      <section class="queue-list panel" aria-labelledby="queue-heading">
        <div class="panel-head">
          <h1 id="queue-heading">Approval queue</h1>
        </div>
        <nav class="tabs" aria-label="Approval status">
          {STATUSES.map((s) => (
            <a key={s} href={s === 'pending' ? '#/queue' : `#/queue?status=${s}`} aria-current={s === status ? 'page' : undefined}>
              {s}
            </a>
          ))}
        </nav>
        <p class="sr-only" aria-live="polite" role="status">
          {announcement}
        </p>
        {list.error ? <ErrorBox error={list.error} title="Could not load the queue" /> : null}
        {!list.data && !list.error ? <Loading what="the queue" /> : null}
        {list.data && items.length === 0 && <p class="muted empty">{status === 'pending' ? 'Nothing is waiting for approval.' : `No ${status} approvals.`}</p>}
        <ol class="queue" aria-label={`${status} approvals, soonest deadline first`}>
          {items.map((a) => (
            <QueueItem key={a.id} approval={a} selected={a.id === selectedId} status={status} />
          ))}
        </ol>
      </section>
      <div class="queue-detail">
        {selectedId ? (
          <>
            <p class="back-link">
              <a href={status === 'pending' ? '#/queue' : `#/queue?status=${status}`}>← Back to the queue</a>
            </p>
            {selectedId && !selected && list.data && status === 'pending' && (
              <p class="notice" role="status">
                This approval is no longer pending.
              </p>
            )}
            <Selected key={selectedId} id={selectedId} fallback={selected} onVoted={list.reload} />
          </>
        ) : (
          <p class="muted placeholder">Select an approval to see what will run, the evidence, and to decide.</p>
        )}
      </div>
    </div>
  );
}
