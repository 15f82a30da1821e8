import { useEffect, useRef, useState } from 'preact/hooks';
import { useSession } from '../session';
import { useNow } from '../hooks';
import { ApiError, isNotFound } from '../lib/api';
import { paramText, parseParam, roleList } from '../lib/format';
import { Permission, votePermissions } from '../lib/rules';
import { Approval, Assessment } from '../lib/types';
import { ErrorBox, Hash, TierBadge } from './common';

type Mode = 'idle' | 'approve' | 'reject' | 'modify';

interface Props {
  readonly approval: Approval;
  /** Called after a vote counted (the card reloads). */
  readonly onVoted: () => void;
}

const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

/** Why a button is disabled, tied to it with aria-describedby. */
function Why({ id, permission }: { id: string; permission: Permission }) {
  if (permission.allowed) return null;
  return (
    <p class="why" id={id}>
      {permission.reason}
    </p>
  );
}

/**
 * Approve, reject with a reason, or approve with modified parameters (after seeing the re-assessed tier). Every vote
 * carries the version and action hash shown, so a vote for something that changed is refused as stale.
 */
export function VotePanel({ approval, onVoted }: Props) {
  const { api, me } = useSession();
  const now = useNow(1000);
  const can = votePermissions(me, approval, now);
  const [mode, setMode] = useState<Mode>('idle');
  const [reason, setReason] = useState('');
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [assessment, setAssessment] = useState<{ tier?: Assessment['tier']; note?: string; for: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const firstParamRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (mode === 'reject') reasonRef.current?.focus();
    if (mode === 'modify') firstParamRef.current?.focus();
    if (mode === 'approve') confirmRef.current?.focus();
  }, [mode]);
  useEffect(() => {
    if (done || error) resultRef.current?.focus();
  }, [done, error]);

  const params = approval.action?.params ?? {};
  const modifications = (): Record<string, unknown> => {
    const changed: Record<string, unknown> = {};
    for (const [name, text] of Object.entries(edits)) {
      if (text !== paramText(params[name])) changed[name] = parseParam(text, params[name]);
    }
    return changed;
  };
  let modsError: string | undefined;
  let mods: Record<string, unknown> = {};
  try {
    mods = modifications();
  } catch (e) {
    modsError = (e as Error).message;
  }
  const modsKey = JSON.stringify(mods);

  const cancel = () => {
    setMode('idle');
    setError(undefined);
  };

  const send = async (decision: 'approve' | 'reject', extra: { reason?: string; modifications?: Record<string, unknown> }) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const result = await api.post<{ approvalId: string; status: string }>(
        `/api/approvals/${approval.id}/votes`,
        { decision, ...extra, proposalVersion: approval.proposalVersion, actionHash: approval.actionHash },
        { 'idempotency-key': newKey() },
      );
      setMode('idle');
      setReason('');
      setEdits({});
      setAssessment(undefined);
      setDone(
        extra.modifications
          ? 'You approved a modified action: this approval is cancelled, and the new version will be re-assessed and appear in the queue for a fresh vote.'
          : decision === 'reject'
            ? 'You rejected this action; your reason goes back to the investigation.'
            : result.status === 'granted'
              ? 'You approved: the approval is complete and the action will be executed.'
              : 'Your approval counted; more approvers are still needed.',
      );
      onVoted();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const assess = async () => {
    if (!approval.action) return;
    setBusy(true);
    try {
      const result = await api.post<Assessment>('/api/proposals/assess', { action: { ...approval.action, params: { ...params, ...mods } } });
      setAssessment({ tier: result.tier, for: modsKey, note: result.factors.map((f) => f.detail ?? f.name).join('; ') });
    } catch (e) {
      if (isNotFound(e)) setAssessment({ for: modsKey, note: 'The server cannot preview the tier; it re-assesses the modified action when you confirm.' });
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && mode !== 'idle') {
      event.preventDefault();
      cancel();
    }
  };

  // One visible reason per distinct refusal; modifying is approving, so it shares the approve reason.
  const whyApprove = `why-approve-${approval.id}`;
  const whyReject = !can.reject.allowed && can.reject.reason === can.approve.reason ? whyApprove : `why-reject-${approval.id}`;
  const assessedForCurrent = assessment && assessment.for === modsKey;
  const changedCount = Object.keys(mods).length;

  return (
    <div class="vote-panel" onKeyDown={onKeyDown}>
      <h3 id={`vote-${approval.id}`}>Your decision</h3>
      <p class="muted small">
        Signed in as <strong>{me.id}</strong> ({me.rolesKnown ? roleList(me.roles) : 'roles unknown: the server decides'}).
      </p>
      <div class="vote-buttons" role="group" aria-labelledby={`vote-${approval.id}`}>
        <button type="button" class="primary approve" disabled={!can.approve.allowed || busy} aria-describedby={can.approve.allowed ? undefined : whyApprove} onClick={() => setMode('approve')}>
          Approve
        </button>
        <button type="button" class="danger reject" disabled={!can.reject.allowed || busy} aria-describedby={can.reject.allowed ? undefined : whyReject} onClick={() => setMode('reject')}>
          Reject…
        </button>
        <button type="button" class="modify" disabled={!can.modify.allowed || busy || !approval.action} aria-describedby={can.modify.allowed ? undefined : whyApprove} onClick={() => setMode('modify')}>
          Modify parameters…
        </button>
      </div>
      <Why id={whyApprove} permission={can.approve} />
      {whyReject !== whyApprove && <Why id={whyReject} permission={can.reject} />}

      {mode === 'approve' && (
        <form
          class="confirm"
          onSubmit={(e) => {
            e.preventDefault();
            void send('approve', {});
          }}
        >
          <p>
            Approve <code>{approval.action?.kind ?? 'the action'}</code> on <code>{approval.action?.target ?? '?'}</code>, version {approval.proposalVersion}, hash{' '}
            <Hash hash={approval.actionHash} />?
          </p>
          <button ref={confirmRef} type="submit" class="primary" disabled={busy}>
            Confirm approval
          </button>{' '}
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        </form>
      )}

      {mode === 'reject' && (
        <form
          class="confirm"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) void send('reject', { reason: reason.trim() });
          }}
        >
          <label for={`reason-${approval.id}`}>Reason for rejecting (required; it is fed back to the investigation)</label>
          <textarea id={`reason-${approval.id}`} ref={reasonRef} required rows={3} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          <button type="submit" class="danger" disabled={busy || !reason.trim()} aria-describedby={reason.trim() ? undefined : `reason-needed-${approval.id}`}>
            Confirm rejection
          </button>{' '}
          <button type="button" onClick={cancel}>
            Cancel
          </button>
          {!reason.trim() && (
            <p class="why" id={`reason-needed-${approval.id}`}>
              Write a reason to reject.
            </p>
          )}
        </form>
      )}

      {mode === 'modify' && approval.action && (
        <form
          class="confirm modify-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (changedCount && assessedForCurrent && !modsError) void send('approve', { modifications: mods });
          }}
        >
          <fieldset>
            <legend>Parameters of {approval.action.kind}</legend>
            {Object.keys(params).length === 0 && <p class="muted">This action has no parameters to modify.</p>}
            {Object.entries(params).map(([name, value], i) => (
              <div class="field" key={name}>
                <label for={`param-${approval.id}-${name}`}>{name}</label>
                <input
                  id={`param-${approval.id}-${name}`}
                  ref={i === 0 ? firstParamRef : undefined}
                  value={edits[name] ?? paramText(value)}
                  onInput={(e) => setEdits({ ...edits, [name]: (e.target as HTMLInputElement).value })}
                />
              </div>
            ))}
          </fieldset>
          {modsError && (
            <p class="error" role="alert">
              {modsError}
            </p>
          )}
          <button type="button" disabled={busy || !changedCount || Boolean(modsError)} onClick={() => void assess()}>
            Re-assess tier
          </button>
          {assessedForCurrent && (
            <p class="assessment" role="status">
              {assessment.tier ? (
                <>
                  Re-assessed tier of the modified action: <TierBadge tier={assessment.tier} />{' '}
                  {assessment.tier === approval.tier ? (
                    <span>— the same as now.</span>
                  ) : (
                    <strong>
                      — changed from <TierBadge tier={approval.tier} />, so different approvers may be needed.
                    </strong>
                  )}
                </>
              ) : null}{' '}
              <span class="muted small">{assessment.note}</span>
            </p>
          )}
          <button type="submit" class="primary" disabled={busy || !changedCount || !assessedForCurrent || Boolean(modsError)}>
            Approve modified action
          </button>{' '}
          <button type="button" onClick={cancel}>
            Cancel
          </button>
          {!changedCount && <p class="why">Change a parameter, then re-assess before confirming.</p>}
          {changedCount > 0 && !assessedForCurrent && <p class="why">Re-assess the tier of the modified action before confirming.</p>}
        </form>
      )}

      <div class="vote-result" ref={resultRef} tabIndex={-1} aria-live="polite">
        {done && (
          <p class="success" role="status">
            {done}
          </p>
        )}
        <ErrorBox error={error} title={error instanceof ApiError && error.status >= 400 && error.status < 500 ? 'The server refused your vote' : 'Your vote was not recorded'} />
      </div>
    </div>
  );
}
