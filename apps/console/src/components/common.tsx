import { ComponentChildren } from 'preact';
import { ApiError } from '../lib/api';
import { countdownText, hashPrefix, timeText } from '../lib/format';
import { refusalText } from '../lib/rules';
import { Tier } from '../lib/types';
import { useNow } from '../hooks';

const TIER_TEXT: Record<Tier, string> = { info: 'Info', low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };

/** The risk tier, in words as well as colour. */
export function TierBadge({ tier }: { tier: Tier }) {
  return (
    <span class={`badge tier tier-${tier}`} data-tier={tier}>
      {TIER_TEXT[tier] ?? tier} risk
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status status-${status.toLowerCase()}`}>{status}</span>;
}

/** Live countdown to the next escalation and the level reached. */
export function Countdown({ deadline, level }: { deadline: string | null | undefined; level: number | null | undefined }) {
  const now = useNow(1000);
  const { text, overdue } = countdownText(deadline, now);
  return (
    <span class={`countdown${overdue ? ' overdue' : ''}`} title={deadline ? `Next escalation at ${deadline}` : undefined}>
      <span class="countdown-text" role="timer" aria-live="off">
        {text}
      </span>
      {level !== null && level !== undefined && <span class="badge level">escalation level {level}</span>}
    </span>
  );
}

export function Time({ iso }: { iso: string | null | undefined }) {
  return <time dateTime={iso ?? undefined} title={iso ?? undefined}>{timeText(iso)}</time>;
}

export function Hash({ hash, length = 12 }: { hash: string | null | undefined; length?: number }) {
  return (
    <code class="hash" title={hash ?? undefined}>
      {hashPrefix(hash, length)}
    </code>
  );
}

/** An error in words: a coded API refusal, or anything else. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div class="error" role="alert">
      {title && <strong>{title}: </strong>}
      <span class="error-text">{api ? refusalText(api.code, api.message) : (error as Error).message ?? String(error)}</span>
      {api && (
        <span class="error-meta">
          {' '}
          [<code>{api.code}</code>
          {api.correlationId ? <> · correlation id <code>{api.correlationId}</code></> : null}]
        </span>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function JsonView({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function Section({ title, children, id, actions }: { title: string; children: ComponentChildren; id?: string; actions?: ComponentChildren }) {
  const headingId = id ? `${id}-heading` : undefined;
  return (
    <section class="panel" id={id} aria-labelledby={headingId}>
      <div class="panel-head">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
