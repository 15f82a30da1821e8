import { roleList } from '../lib/format';
import { requirementProgress } from '../lib/rules';
import { Approval } from '../lib/types';
import { ActionCard } from './ActionCard';
import { Countdown, StatusBadge, Time, TierBadge } from './common';
import { AnomalyChart, Findings, IncidentFindings } from './Evidence';
import { VotePanel } from './VotePanel';

/** Who is still needed (one distinct person per requirement) and who has voted. */
export function Requirements({ approval }: { approval: Approval }) {
  const progress = requirementProgress(approval.requiredRoles, approval.votes);
  const missing = progress.filter((p) => !p.by);
  return (
    <div class="requirements">
      <h3>Approvers</h3>
      <ul class="requirement-list">
        {progress.map((p, i) => (
          <li key={i} class={p.by ? 'met' : 'needed'}>
            {p.by ? '✓ ' : '○ '}
            <span class="role-need">{p.requirement.join(' or ')}</span>: {p.by ? <strong>approved by {p.by}</strong> : <em>still needed</em>}
          </li>
        ))}
      </ul>
      {approval.status === 'pending' && (
        <p class="still-needed">{missing.length ? `Still needed: ${missing.map((p) => p.requirement.join(' or ')).join(' and ')}` : 'All required approvers have voted.'}</p>
      )}
      <h3>Votes</h3>
      {approval.votes.length === 0 ? (
        <p class="muted votes-none">Nobody has voted yet.</p>
      ) : (
        <ul class="votes">
          {approval.votes.map((v) => (
            <li key={`${v.by}-${v.at}`} class={`vote vote-${v.decision}`}>
              <strong class="voter">{v.by}</strong> ({roleList(v.roles)}) <span class={`badge decision-${v.decision}`}>{v.decision === 'approve' ? (v.modifications ? 'approved with changes' : 'approved') : 'rejected'}</span>{' '}
              <Time iso={v.at} />
              {v.reason && <q class="reason">{v.reason}</q>}
              {v.modifications && <code class="small"> {JSON.stringify(v.modifications)}</code>}
            </li>
          ))}
        </ul>
      )}
      {typeof approval.refusedAttempts === 'number' && approval.refusedAttempts > 0 && (
        <p class="muted small">{approval.refusedAttempts} refused attempt(s) recorded in the audit log.</p>
      )}
    </div>
  );
}

export function ApprovalSummaryLine({ approval }: { approval: Approval }) {
  return (
    <span>
      <code>{approval.action?.kind ?? 'action'}</code> on <code>{approval.action?.target ?? '?'}</code>
    </span>
  );
}

/** The full card: header, what will run, approvers and votes, evidence, and the decision controls. */
export function ApprovalCard({ approval, onVoted }: { approval: Approval; onVoted: () => void }) {
  return (
    <article class="approval-card" aria-labelledby={`card-${approval.id}`} data-approval-id={approval.id}>
      <header class="card-head">
        <h2 id={`card-${approval.id}`}>
          <ApprovalSummaryLine approval={approval} />
        </h2>
        <div class="card-badges">
          <TierBadge tier={approval.tier} /> <StatusBadge status={approval.status} />{' '}
          {approval.status === 'pending' && <Countdown deadline={approval.deadline} level={approval.escalationLevel} />}
        </div>
        <p class="muted small">
          Proposed by <strong>{approval.proposer}</strong>
          {approval.requestedAt && (
            <>
              {' '}
              · requested <Time iso={approval.requestedAt} />
            </>
          )}
          {approval.decidedAt && (
            <>
              {' '}
              · decided <Time iso={approval.decidedAt} />
            </>
          )}{' '}
          · approval <code>{approval.id.slice(0, 8)}</code>
        </p>
        <nav class="card-links" aria-label="Related">
          {approval.anomalyId && <a href={`#/incidents/${approval.anomalyId}`}>Incident timeline</a>}
          <a href={`#/audit/travel?stream=${encodeURIComponent(`approval-${approval.id}`)}`}>History &amp; time travel</a>
          <a href={`#/audit?stream=${encodeURIComponent(`approval-${approval.id}`)}`}>Audit events</a>
        </nav>
      </header>
      {approval.rationale && (
        <p class="rationale">
          <strong>Rationale:</strong> {approval.rationale}
        </p>
      )}
      <div class="card-grid">
        <ActionCard approval={approval} />
        <Requirements approval={approval} />
      </div>
      <VotePanel approval={approval} onVoted={onVoted} />
      <section class="evidence" aria-label="Evidence">
        <h3>Evidence</h3>
        {approval.anomalyId ? <AnomalyChart anomalyId={approval.anomalyId} /> : <p class="muted">No anomaly is linked to this proposal.</p>}
        <h4>Investigation findings</h4>
        {approval.investigationId ? (
          <Findings investigationId={approval.investigationId} />
        ) : approval.anomalyId ? (
          <IncidentFindings anomalyId={approval.anomalyId} />
        ) : (
          <p class="muted">No investigation is linked to this proposal.</p>
        )}
      </section>
    </article>
  );
}
