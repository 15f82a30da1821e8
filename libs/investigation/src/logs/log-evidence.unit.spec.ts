import { classifyLog, exceptionFingerprint, normalizeMessage, normalizeStack } from './fingerprint';
import { analyzeLogs, describeGroup, isErrorRow, LogRow } from './log-evidence';

const javaStack = (line: number, lambda: string) => `java.lang.NullPointerException: cart is null
\tat com.shop.cart.CartService.total(CartService.java:${line})
\tat com.shop.cart.CartController$$Lambda$${lambda}/0x0000000801234.apply(Unknown Source)
\tat com.shop.web.Router.handle(Router.java:${line + 7})
\t... 42 more`;

describe('normalizeMessage', () => {
  it('given messages differing only in ids, numbers, addresses, when normalized, then they share one template', () => {
    const a = normalizeMessage('user 42 timed out after 3000ms calling 10.0.3.7:8080 (req 3f2504e0-4f89-11d3-9a0c-0305e82c3301, trace 4bf92f3577b34da6)');
    const b = normalizeMessage('user 7  timed out after 250ms calling 10.0.9.1:9090 (req 9b2d7c1e-1111-2222-3333-444455556666, trace 00f067aa0ba902b7)');
    expect(a).toBe(b);
    expect(a).toBe('user <n> timed out after <n>ms calling <ip> (req <uuid>, trace <hex>)');
  });

  it('given plain words of hex letters, when normalized, then they stay words', () => {
    expect(normalizeMessage('cafe deadbeef facade failed')).toBe('cafe deadbeef facade failed');
  });
});

describe('normalizeStack and exceptionFingerprint', () => {
  it('given the same exception from two builds (line numbers and lambda ids moved), when fingerprinted, then the fingerprints match', () => {
    const a = exceptionFingerprint('java.lang.NullPointerException', javaStack(120, '123'));
    const b = exceptionFingerprint('java.lang.NullPointerException', javaStack(131, '987'));
    expect(a.id).toBe(b.id);
    expect(a.frames[0]).toBe('at com.shop.cart.CartService.total(CartService.java)');
    expect(a.frames.some((frame) => frame.includes('0x'))).toBe(false);
    expect(a.frames).toHaveLength(3);
  });

  it('given a different throwing frame, when fingerprinted, then the fingerprint differs', () => {
    const a = exceptionFingerprint('java.lang.NullPointerException', javaStack(120, '1'));
    const b = exceptionFingerprint('java.lang.NullPointerException', javaStack(120, '1').replace('CartService.total', 'CartService.add'));
    expect(a.id).not.toBe(b.id);
  });

  it('given a Python traceback, when normalized, then line numbers are stripped from each frame', () => {
    const frames = normalizeStack('Traceback (most recent call last):\n  File "/app/pay.py", line 88, in charge\n    raise Timeout()\n  File "/app/net.py", line 12, in call');
    expect(frames).toEqual(['File "/app/pay.py", in charge', 'File "/app/net.py", in call']);
  });

  it('given a Go panic, when normalized, then file:line and offsets are stripped', () => {
    const frames = normalizeStack('panic: runtime error\n\ngoroutine 1 [running]:\nmain.handler(0xc000010000)\n\t/src/main.go:42 +0x1d');
    expect(frames).toEqual(['main.handler()', '/src/main.go']);
  });

  it('given error texts, when classified, then OOM, crash, timeout, connection and saturation are told apart', () => {
    expect(classifyLog('java.lang.OutOfMemoryError: Java heap space')).toBe('out-of-memory');
    expect(classifyLog('Back-off restarting failed container')).toBe('crash');
    expect(classifyLog('context deadline exceeded')).toBe('timeout');
    expect(classifyLog('dial tcp: connection refused')).toBe('connection');
    expect(classifyLog('429 Too Many Requests')).toBe('saturation');
    expect(classifyLog('invalid coupon')).toBe('other');
  });
});

describe('analyzeLogs', () => {
  const error = (body: string, extra: Partial<LogRow> = {}): LogRow => ({ body, severityText: 'ERROR', service: 'cart', ...extra });

  it('given severities by text and number, when filtered, then only ERROR and worse (or exceptions) count', () => {
    expect(isErrorRow({ body: 'x', severityText: 'error' })).toBe(true);
    expect(isErrorRow({ body: 'x', severityNumber: 21 })).toBe(true);
    expect(isErrorRow({ body: 'x', severityText: 'WARN' })).toBe(false);
    expect(isErrorRow({ body: 'x', exceptionType: 'IOError' })).toBe(true);
  });

  it('given a burst of one templated error, when analysed, then it is the top message with its share and a sample', () => {
    const rows: LogRow[] = [
      ...Array.from({ length: 8 }, (_, i) => error(`payment ${i} declined by provider`, { at: Date.UTC(2025, 2, 1, 10, i), traceId: `t${i}` })),
      error('cache miss storm'),
      error('cache miss storm'),
      { body: 'GET /health 200', severityText: 'INFO' },
    ];
    const report = analyzeLogs({ rows });
    expect(report.totalRows).toBe(11);
    expect(report.errorRows).toBe(10);
    expect(report.messages[0]).toMatchObject({ template: 'payment <n> declined by provider', count: 8, share: 0.8, novelty: 1, services: ['cart'] });
    expect(report.messages[0].firstSeen).toBe(Date.UTC(2025, 2, 1, 10, 0));
    expect(report.messages[0].traceIds).toHaveLength(5);
  });

  it('given an error that was already there at the same rate, when compared with the baseline, then a new error outranks it', () => {
    const old = Array.from({ length: 5 }, () => error('slow query on orders'));
    const fresh = Array.from({ length: 5 }, () => error('NullPointerException in checkout'));
    const report = analyzeLogs({ rows: [...old, ...fresh], baseline: Array.from({ length: 10 }, () => error('slow query on orders')) });
    expect(report.messages.map((entry) => entry.template)).toEqual(['NullPointerException in checkout', 'slow query on orders']);
    expect(report.messages[1].novelty).toBeCloseTo(1 / 3, 3);
  });

  it('given exceptions with stacks and pre-aggregated counts, when analysed, then they group by fingerprint and carry their category', () => {
    const rows: LogRow[] = [
      error('request failed', { exceptionType: 'java.lang.OutOfMemoryError', exceptionMessage: 'Java heap space', exceptionStacktrace: javaStack(10, '1'), count: 30 }),
      error('request failed', { exceptionType: 'java.lang.OutOfMemoryError', exceptionMessage: 'Java heap space', exceptionStacktrace: javaStack(14, '2'), count: 12 }),
      error('bad input', { exceptionType: 'IllegalArgumentException', count: 3 }),
    ];
    const report = analyzeLogs({ rows });
    expect(report.exceptions[0]).toMatchObject({ type: 'java.lang.OutOfMemoryError', count: 42, category: 'out-of-memory', example: 'Java heap space' });
    expect(describeGroup(report.exceptions[0])).toBe('java.lang.OutOfMemoryError at com.shop.cart.CartService.total(CartService.java) (42 errors, 93% of errors)');
  });

  it('given groups under the minimum count, when analysed, then they are dropped', () => {
    expect(analyzeLogs({ rows: [error('once')] }).messages).toEqual([]);
  });
});
