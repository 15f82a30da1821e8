import { AnomalyDetected, AnomalyEscalatedSeverity } from '@vigil/domain/anomaly';
import { InvestigationConcluded } from '@vigil/domain/investigation';
import { sagaIds } from '../ids';
import { SagaOutput } from '../outputs';
import { Reaction } from '../reaction';

/** AnomalyDetected → OpenInvestigation, a notice, and a page when the anomaly is severe. */
export function onAnomalyDetected(event: AnomalyDetected, r: Reaction): SagaOutput[] {
  const { anomalyId, service, operation, signal, expected, actual, score, severity, window } = event.data;
  const investigationId = sagaIds.investigation(r.context.deriveId, r.trigger.eventId);
  const subject = `Anomaly on ${service} ${operation}: ${signal} (${severity})`;
  const message = `${signal} expected ${expected}, saw ${actual} (score ${score}) in ${window.start} – ${window.end}; investigating as ${investigationId}`;
  const refs = { anomalyId, investigationId };
  const severe = r.options.pageSeverities.includes(severity);
  return [
    r.send('investigation', investigationId, { type: 'OpenInvestigation', data: { investigationId, anomalyIds: [anomalyId] } }),
    ...r.notify(r.options.anomalyNotice, { subject, message, severity: severe ? 'critical' : 'warning', refs }, 'anomaly'),
    ...(severe ? r.notify(r.options.anomalyPage, { subject, message, severity: 'critical', refs }, 'page') : []),
  ];
}

/** A severity raised into the paging severities pages, once. */
export function onAnomalyEscalatedSeverity(event: AnomalyEscalatedSeverity, r: Reaction): SagaOutput[] {
  const { anomalyId, from, to, by, reason } = event.data;
  const { pageSeverities } = r.options;
  if (!pageSeverities.includes(to) || pageSeverities.includes(from)) return [];
  return r.notify(
    r.options.anomalyPage,
    { subject: `Anomaly ${anomalyId} is now ${to}`, message: `${by} raised it from ${from} to ${to}${reason ? `: ${reason}` : ''}`, severity: 'critical', refs: { anomalyId } },
    'page',
  );
}

/** Proposing from the hypotheses is the proposer's work (a later component); the saga tells people what was found. */
export function onInvestigationConcluded(event: InvestigationConcluded, r: Reaction): SagaOutput[] {
  const { investigationId, hypotheses } = event.data;
  const top = hypotheses[0];
  const message = top
    ? `Most likely: ${top.summary} (confidence ${top.confidence})${top.suggestedAction ? `; suggested ${top.suggestedAction.kind} on ${top.suggestedAction.target}` : ''}`
    : 'No hypothesis';
  return r.notify(r.options.operationsNotice, { subject: `Investigation ${investigationId} concluded`, message, severity: 'info', refs: { investigationId } }, 'concluded');
}
