import { FindingKind, RecordFinding } from '@vigil/domain/investigation';
import { JsonObject } from '@vigil/domain/shared';
import { BubbleUpReport, BubbleUpResult } from '../bubbleup/bubbleup';
import { changeEvidence, CorrelatedChange } from '../deployment/deployment-correlation';
import { RootCauseTrace } from '../dependency/root-cause';
import { describeGroup, ExceptionGroup, LogEvidenceReport, MessagePattern } from '../logs/log-evidence';
import { LogCategory } from '../logs/fingerprint';
import { round } from '../internal/numbers';

/**
 * What a finding says caused the anomaly, so findings about the same thing can be combined into one hypothesis and
 * the proposer can pick an action for it.
 */
export type Cause =
  | 'bad-deployment'
  | 'crash-loop'
  | 'resource-leak'
  | 'saturation'
  | 'failing-service'
  | 'unhealthy-instance'
  | 'segment'
  | 'error-pattern';

export interface FindingSubject {
  readonly cause: Cause;
  /** The service the cause lives in (absent for a segment not tied to one). */
  readonly service?: string;
  /** bad-deployment: the suspect revision and the one to go back to. */
  readonly revision?: string;
  readonly rollbackRevision?: string;
  /** segment / unhealthy-instance: the attribute=value BubbleUp singled out. */
  readonly attribute?: string;
  readonly value?: string;
  /** failing-service / saturation: the metric that moved. */
  readonly signal?: string;
}

/** A finding as RecordFinding takes it, plus the subject the hypothesis ranking combines on. */
export interface InvestigationFinding {
  /** Deterministic from the content (`deployment:payments-api:v2.14.0`), so recording it twice appends nothing. */
  readonly findingId: string;
  readonly kind: FindingKind;
  readonly summary: string;
  readonly evidence: JsonObject;
  /** 0..1 */
  readonly score: number;
  readonly subject: FindingSubject;
}

/** The RecordFinding payload for a finding of this investigation. */
export function recordFindingData(investigationId: string, finding: InvestigationFinding): RecordFinding['data'] {
  const { findingId, kind, summary, evidence, score } = finding;
  return { investigationId, findingId, kind, summary, evidence: { ...evidence, subject: subjectJson(finding.subject) }, score };
}

const VERSION_ATTRIBUTES = /^(?:service\.version|version|app\.version|revision|deployment\.revision|k8s\.deployment\.revision|image(?:\.tag)?|container\.image\.tag|git\.(?:sha|commit)|build(?:\.id)?)$/i;
const PEER_ATTRIBUTES = /^(?:peer\.service|net\.peer\.name|server\.address|db\.system|db\.name|rpc\.service|messaging\.destination(?:\.name)?|http\.host|upstream(?:\.service)?|dependency)$/i;
const INSTANCE_ATTRIBUTES = /^(?:host\.name|host|k8s\.pod\.name|pod|k8s\.node\.name|node|service\.instance\.id|container\.id|instance)$/i;
/** A state the span records about its process (a heap share, a queue depth): its values name a resource running out. */
const MEMORY_STATE_ATTRIBUTES = /(?:^|[._])(?:memory|heap|gc)(?:[._]|$)/i;
const SATURATION_STATE_ATTRIBUTES = /(?:queue[._]?depth|(?:thread|worker|connection)[._]?pool|cpu|throttl|saturat|backlog)/i;

/**
 * BubbleUp results as findings (the top `limit`). A version-like attribute points at a deployment, a peer-like one at
 * a failing dependency, a host/pod-like one at an unhealthy instance, a process state (heap share, queue depth) at a
 * leak or saturation; anything else is a segment of the traffic.
 */
export function bubbleUpFindings(
  report: BubbleUpReport,
  context: { readonly service: string; readonly signal?: string; readonly limit?: number },
): InvestigationFinding[] {
  return report.results.slice(0, context.limit ?? 3).map((result) => ({
    findingId: `bubbleup:${context.service}:${result.attribute}=${result.value}`,
    kind: 'bubbleup' as const,
    summary: result.summary,
    evidence: bubbleUpEvidence(result, report, context.signal),
    score: round(Math.max(0, Math.min(1, result.difference))),
    subject: bubbleUpSubject(result, context.service),
  }));
}

function bubbleUpSubject(result: BubbleUpResult, service: string): FindingSubject {
  const { attribute, value } = result;
  if (VERSION_ATTRIBUTES.test(attribute)) return { cause: 'bad-deployment', service, revision: value, attribute, value };
  if (PEER_ATTRIBUTES.test(attribute)) return { cause: 'failing-service', service: value, attribute, value };
  if (INSTANCE_ATTRIBUTES.test(attribute)) return { cause: 'unhealthy-instance', service, attribute, value };
  if (attribute === 'service.name' || attribute === 'service') return { cause: 'failing-service', service: value, attribute, value };
  if (MEMORY_STATE_ATTRIBUTES.test(attribute)) return { cause: 'resource-leak', service, attribute, value };
  if (SATURATION_STATE_ATTRIBUTES.test(attribute)) return { cause: 'saturation', service, attribute, value };
  return { cause: 'segment', service, attribute, value };
}

function bubbleUpEvidence(result: BubbleUpResult, report: BubbleUpReport, signal: string | undefined): JsonObject {
  return {
    attribute: result.attribute,
    value: result.value,
    anomalousCount: result.anomalousCount,
    baselineCount: result.baselineCount,
    anomalousTotal: report.anomalousTotal,
    baselineTotal: report.baselineTotal,
    anomalousShare: result.anomalousShare,
    baselineShare: result.baselineShare,
    lift: result.lift,
    z: Number.isFinite(result.z) ? result.z : null,
    ...(signal ? { signal } : {}),
  };
}

/** The best correlated changes (default 2) as deployment findings. */
export function deploymentFindings(correlated: readonly CorrelatedChange[], limit = 2): InvestigationFinding[] {
  return correlated.slice(0, limit).map((entry) => ({
    findingId: `deployment:${entry.change.service}:${entry.change.revision}`,
    kind: 'deployment' as const,
    summary: entry.summary,
    evidence: changeEvidence(entry),
    score: entry.score,
    subject: {
      cause: 'bad-deployment' as const,
      service: entry.change.service,
      revision: entry.change.revision,
      ...(entry.rollbackRevision !== undefined ? { rollbackRevision: entry.rollbackRevision } : {}),
    },
  }));
}

const SATURATION_SIGNAL = /cpu|throttl|saturat|utili[sz]ation|queue|pool|connections|load/i;
const MEMORY_SIGNAL = /mem|heap|rss|oom/i;

/** The walk's root as a dependency finding (none when the walk found no root). */
export function dependencyFinding(trace: RootCauseTrace): InvestigationFinding | undefined {
  const { top } = trace;
  if (!top) return undefined;
  const signal = top.signal;
  const cause: Cause = signal && MEMORY_SIGNAL.test(signal) ? 'resource-leak' : signal && SATURATION_SIGNAL.test(signal) ? 'saturation' : 'failing-service';
  const path = top.path ?? [top.service];
  const roots = trace.candidates.filter((candidate) => candidate.role === 'root');
  return {
    findingId: `dependency:${top.service}`,
    kind: 'dependency',
    summary:
      path.length > 1
        ? `${top.service} is the deepest anomalous dependency on ${path.join(' → ')}${signal ? ` (${signal})` : ''}`
        : `${top.service} is anomalous with no anomalous dependency before it${signal ? ` (${signal})` : ''}`,
    evidence: {
      service: top.service,
      path: [...path],
      score: round(top.score, 2),
      ...(top.onset !== undefined ? { onset: top.onset } : {}),
      ...(signal ? { signal } : {}),
      ...(trace.symptom ? { symptom: trace.symptom } : {}),
      otherRoots: roots.slice(1, 4).map((root) => root.service),
      propagatedThrough: trace.candidates.filter((candidate) => candidate.role === 'propagated').map((candidate) => candidate.service),
    },
    score: trace.confidence,
    subject: { cause, service: top.service, ...(signal ? { signal } : {}) },
  };
}

const CAUSE_OF_CATEGORY: Readonly<Record<LogCategory, Cause>> = {
  'out-of-memory': 'resource-leak',
  crash: 'crash-loop',
  saturation: 'saturation',
  timeout: 'error-pattern',
  connection: 'error-pattern',
  other: 'error-pattern',
};

/** The top exception groups, then message patterns not already covered, as log findings (default 3 in all). */
export function logFindings(report: LogEvidenceReport, context: { readonly service: string; readonly limit?: number }): InvestigationFinding[] {
  const limit = context.limit ?? 3;
  const make = (entry: ExceptionGroup | MessagePattern): InvestigationFinding => {
    const isException = 'fingerprint' in entry;
    const id = isException ? entry.fingerprint : entry.template;
    return {
      findingId: `logs:${context.service}:${isException ? 'exception' : 'message'}:${id}`,
      kind: 'logs',
      summary: `${context.service} logs ${describeGroup(entry)}`,
      evidence: {
        ...(isException ? { fingerprint: entry.fingerprint, exceptionType: entry.type, frames: [...entry.frames] } : { template: entry.template }),
        count: entry.count,
        share: entry.share,
        ...(entry.baselineCount !== undefined ? { baselineCount: entry.baselineCount } : {}),
        novelty: entry.novelty,
        category: entry.category,
        example: entry.example,
        services: [...entry.services],
        traceIds: [...entry.traceIds],
        ...(entry.firstSeen !== undefined ? { firstSeen: entry.firstSeen } : {}),
      },
      score: entry.score,
      subject: { cause: CAUSE_OF_CATEGORY[entry.category], service: context.service },
    };
  };
  const exceptions = report.exceptions.map(make);
  const examples = new Set(report.exceptions.map((entry) => entry.example));
  const messages = report.messages.filter((entry) => !examples.has(entry.example)).map(make);
  return [...exceptions, ...messages].sort((a, b) => b.score - a.score).slice(0, limit);
}

function subjectJson(subject: FindingSubject): JsonObject {
  return Object.fromEntries(Object.entries(subject).filter(([, value]) => value !== undefined)) as JsonObject;
}
