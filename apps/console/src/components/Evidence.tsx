import { useSession } from '../session';
import { useAsync } from '../hooks';
import { isNotFound } from '../lib/api';
import { anomalySeries } from '../lib/series';
import { IncidentTimeline, StreamSnapshot } from '../lib/types';
import { ErrorBox, Loading, Time } from './common';
import { SignalChart } from './SignalChart';

interface RedSeries {
  readonly service: string;
  readonly operation: string;
  readonly signal: string;
  readonly points: readonly { t: number; value: number; lower: number; upper: number }[];
}

/**
 * The anomalous signal against its baseline band: per minute from the RED rollup with the detector's own band
 * (`/api/anomalies/:id/series`); for anomalies without a RED series (alert webhooks), the anomaly's observations
 * against ±20% of the expected value.
 */
export function AnomalyChart({ anomalyId }: { anomalyId: string }) {
  const { api } = useSession();
  const red = useAsync((signal) => api.get<RedSeries>(`/api/anomalies/${encodeURIComponent(anomalyId)}/series?hours=6`, signal), [anomalyId]);
  const stream = useAsync((signal) => api.get<StreamSnapshot>(`/api/streams/${encodeURIComponent(`anomaly-${anomalyId}`)}`, signal), [anomalyId]);
  if (red.data && red.data.points.length > 0) {
    const title = `${red.data.signal} of ${red.data.service} ${red.data.operation} (per minute, last 6 h)`;
    return (
      <div class="evidence-chart">
        <h4>{title}</h4>
        <SignalChart series={red.data.points} title={title} />
      </div>
    );
  }
  if (!red.data && !red.error) return <Loading what="the signal" />;
  if (stream.error) return isNotFound(stream.error) ? <p class="muted">The anomaly {anomalyId} has no recorded observations.</p> : <ErrorBox error={stream.error} />;
  if (!stream.data) return <Loading what="the signal" />;
  const detected = stream.data.events.find((e) => e.type === 'AnomalyDetected')?.data as { service?: string; operation?: string; signal?: string } | undefined;
  const title = detected ? `${detected.signal} of ${detected.service} ${detected.operation}` : 'Signal';
  return (
    <div class="evidence-chart">
      <h4>{title}</h4>
      <SignalChart series={anomalySeries(stream.data.events)} title={title} />
    </div>
  );
}

interface Finding {
  readonly findingId: string;
  readonly kind: string;
  readonly summary: string;
  readonly score: number;
  readonly recordedBy: string;
  readonly at: string;
  readonly evidence?: unknown;
}
interface Hypothesis {
  readonly rank: number;
  readonly summary: string;
  readonly confidence: number;
}

/** The investigation's findings and conclusion. */
export function Findings({ investigationId }: { investigationId: string }) {
  const { api } = useSession();
  const stream = useAsync((signal) => api.get<StreamSnapshot>(`/api/streams/${encodeURIComponent(`investigation-${investigationId}`)}`, signal), [investigationId]);
  if (stream.error) return isNotFound(stream.error) ? <p class="muted">No findings recorded for investigation {investigationId}.</p> : <ErrorBox error={stream.error} />;
  if (!stream.data) return <Loading what="the findings" />;
  const findings = stream.data.events.filter((e) => e.type === 'FindingRecorded').map((e) => e.data as unknown as Finding);
  const concluded = stream.data.events.find((e) => e.type === 'InvestigationConcluded')?.data as { hypotheses?: Hypothesis[]; concludedBy?: string } | undefined;
  return (
    <div class="findings">
      {findings.length === 0 ? (
        <p class="muted">The investigation has recorded no findings yet.</p>
      ) : (
        <ol class="finding-list">
          {[...findings]
            .sort((a, b) => b.score - a.score)
            .map((f) => (
              <li key={f.findingId}>
                <span class="badge">{f.kind}</span> <strong>{f.summary}</strong>{' '}
                <span class="muted small">
                  score {f.score} · {f.recordedBy} · <Time iso={f.at} />
                </span>
                {f.evidence !== undefined && (
                  <details>
                    <summary>Evidence data</summary>
                    <pre class="json">{JSON.stringify(f.evidence, null, 2)}</pre>
                  </details>
                )}
              </li>
            ))}
        </ol>
      )}
      {concluded?.hypotheses?.length ? (
        <div class="hypotheses">
          <h4>Conclusion ({concluded.concludedBy})</h4>
          <ol>
            {[...concluded.hypotheses]
              .sort((a, b) => a.rank - b.rank)
              .map((h) => (
                <li key={h.rank}>
                  {h.summary} <span class="muted small">confidence {h.confidence}</span>
                </li>
              ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}

/** The findings of the investigations opened for an anomaly, when the proposal names none itself. */
export function IncidentFindings({ anomalyId }: { anomalyId: string }) {
  const { api } = useSession();
  const timeline = useAsync((signal) => api.get<IncidentTimeline>(`/api/incidents/${anomalyId}`, signal), [anomalyId]);
  if (timeline.error) return isNotFound(timeline.error) ? <p class="muted">No investigation is linked to this proposal.</p> : <ErrorBox error={timeline.error} />;
  if (!timeline.data) return <Loading what="the investigation" />;
  const ids = [...new Set(timeline.data.entries.filter((e) => e.entityType === 'investigation').map((e) => e.entityId))];
  if (ids.length === 0) return <p class="muted">No investigation has been opened for this anomaly yet.</p>;
  return (
    <>
      {ids.map((id) => (
        <Findings key={id} investigationId={id} />
      ))}
    </>
  );
}
