import { fnv1a32 } from '../internal/hash';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX_PREFIXED = /\b0x[0-9a-f]+\b/gi;
/** 8+ hex digits with at least one digit and one letter: trace ids, git shas, object ids (not plain words). */
const HEX_RUN = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g;
const NUMBER = /[-+]?\d+(?:\.\d+)?/g;
const SPACE = /\s+/g;

/**
 * A log message's template: uuids, hex values and ids, IPv4 addresses and numbers replaced by placeholders, spaces
 * collapsed. "user 42 timed out after 3000ms (req 9f1c…)" and "user 7 timed out after 2500ms (req 0b2d…)" share one.
 */
export function normalizeMessage(message: string, maxLength = 300): string {
  const template = message
    .replace(UUID, '<uuid>')
    .replace(HEX_PREFIXED, '<hex>')
    .replace(HEX_RUN, '<hex>')
    .replace(IPV4, '<ip>')
    .replace(NUMBER, '<n>')
    .replace(SPACE, ' ')
    .trim();
  return template.length > maxLength ? `${template.slice(0, maxLength)}…` : template;
}

/** Java/JS `at …`, Python `File "…", line N, in f`, Go `\t/path/file.go:123 +0x1d` and `pkg.func(…)`, Ruby/.NET. */
const FRAME = /^(?:at\s|File\s+"|[\w./-]+\.(?:go|rb|py|js|ts|java|kt|cs|scala|php):\d+|[\w.$<>/-]+\(.*\)$|in\s)/;
/** "... 12 more", "Caused by: …" headers and the like. */
const NOISE = /^(?:\.\.\.\s*\d+\s+more|goroutine\s+\d+|Traceback \(most recent call last\):)/i;

/**
 * A stack trace's frames without what varies between builds and runs: line and column numbers, addresses, lambda
 * and anonymous-class ids, generated numbers. Keeps the first `maxFrames` frames (the top of the stack, where the
 * failure is), so a deeper, unrelated difference does not split a group.
 */
export function normalizeStack(stack: string, maxFrames = 8): string[] {
  const lines = stack
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !NOISE.test(line));
  const frames = lines.filter((line) => FRAME.test(line));
  const chosen = frames.length > 0 ? frames : lines.slice(1);
  return chosen.slice(0, maxFrames).map(normalizeFrame).filter((frame) => frame !== '');
}

function normalizeFrame(frame: string): string {
  return frame
    .replace(/,\s*line\s+\d+/gi, '')
    .replace(/:\d+(?::\d+)?/g, '')
    .replace(UUID, '')
    .replace(HEX_PREFIXED, '')
    .replace(/\+\s*$/, '')
    .replace(/\$\$Lambda\$[\w/]*/g, '$$Lambda')
    .replace(/\$\d+/g, '$')
    .replace(/\d+/g, '')
    .replace(SPACE, ' ')
    .trim();
}

export interface ExceptionFingerprint {
  /** 8 hex digits of FNV-1a over type and normalized frames: stable across builds, line shifts and restarts. */
  readonly id: string;
  readonly type: string;
  readonly frames: readonly string[];
}

/** The exception type plus its normalized stack: what makes two exceptions "the same bug". */
export function exceptionFingerprint(type: string, stack: string | undefined, maxFrames = 8): ExceptionFingerprint {
  const cleanType = type.trim() || 'UnknownException';
  const frames = stack ? normalizeStack(stack, maxFrames) : [];
  return { id: fnv1a32(`${cleanType}\n${frames.join('\n')}`), type: cleanType, frames };
}

export type LogCategory = 'out-of-memory' | 'crash' | 'timeout' | 'connection' | 'saturation' | 'other';

const CATEGORIES: readonly [LogCategory, RegExp][] = [
  ['out-of-memory', /OutOfMemory|OOMKilled|out of memory|cannot allocate memory|heap (?:space|out of)|MemoryError|memory limit|JavaScript heap/i],
  ['crash', /CrashLoopBackOff|back-?off restarting|panic:|SIGSEGV|SIGABRT|segmentation fault|fatal error|core dumped|exited with (?:code|status)|unhandled (?:exception|rejection)/i],
  ['saturation', /too many requests|rate.?limit|throttl|queue (?:is )?full|RESOURCE_EXHAUSTED|resource exhausted|thread pool|pool exhausted|too many (?:open files|connections)/i],
  ['timeout', /time(?:d)? ?out|deadline exceeded|DEADLINE_EXCEEDED/i],
  ['connection', /connection (?:refused|reset|closed)|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|UNAVAILABLE|no route to host|broken pipe|name resolution|unknown host/i],
];

/** A coarse class of an error text (message, exception type or both), used to suggest a cause. */
export function classifyLog(text: string): LogCategory {
  for (const [category, pattern] of CATEGORIES) if (pattern.test(text)) return category;
  return 'other';
}
