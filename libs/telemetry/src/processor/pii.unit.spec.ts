import { randomInt } from 'node:crypto';
import { DEFAULT_PII_RULES, isCardNumber, luhnValid, mayHoldDefaultPii, PiiScrubber, SECRET_ATTRIBUTE_KEYS } from './pii';

describe('PII scrubbing', () => {
  const scrubber = new PiiScrubber();

  it.each([
    ['contact jane.doe+billing@example.co.uk now', 'contact [REDACTED:email] now'],
    ['card 4111 1111 1111 1111 declined', 'card [REDACTED:card] declined'],
    ['card 4111-1111-1111-1111', 'card [REDACTED:card]'],
    ['pan=5555555555554444;', 'pan=[REDACTED:card];'],
    ['amex 378282246310005', 'amex [REDACTED:card]'],
    ['Authorization: Bearer abc.DEF-123_456~xyz', 'Authorization: Bearer [REDACTED:credentials]'],
    ['/cb?id_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl&x=1', '/cb?id_token=[REDACTED:jwt]&x=1'],
  ])('redacts %j', (input, expected) => {
    expect(scrubber.scrub(input)).toBe(expected);
  });

  it.each([
    ['order 1234567890123456 shipped'], // 16 digits, not a card prefix
    ['ts=1732200000000'], // epoch millis: 13 digits, passes no card prefix
    ['card 4111 1111 1111 1112'], // Visa prefix, fails Luhn
    ['id 41111111111111111111111'], // 23 digits: longer than any card number
    ['trace 4bf92f3577b34da6a3ce929d0e0e4736'],
    ['user@localhost'], // no domain suffix
    ['Bearer'], // no credential after the scheme
    ['GET /api/v1/orders/42'],
  ])('leaves %j alone', (input) => {
    expect(scrubber.scrub(input)).toBe(input);
  });

  it('checks card numbers by issuer prefix, length and Luhn', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(isCardNumber('6011 1111 1111 1117')).toBe(true);
    expect(isCardNumber('1234 5678 9012 3452')).toBe(false);
  });

  it('replaces the whole value of credential keys and drops the numeric twin of a changed attribute', () => {
    const attributes = {
      'http.request.header.authorization': 'Basic dXNlcjpwYXNz', 'http.request.header.cookie': 'session=abc', 'db.password': 'hunter2',
      'user.card': '4242424242424242', 'http.route': '/pay', 'retry.count': '3',
    };
    const numeric = { 'user.card': 4242424242424242, 'retry.count': 3 };
    scrubber.scrubAttributes(attributes, numeric);
    expect(attributes).toEqual({
      'http.request.header.authorization': '[REDACTED:secret]', 'http.request.header.cookie': '[REDACTED:secret]', 'db.password': '[REDACTED:secret]',
      'user.card': '[REDACTED:card]', 'http.route': '/pay', 'retry.count': '3',
    });
    expect(numeric).toEqual({ 'retry.count': 3 });
  });

  it('takes custom rules and rejects patterns without the g flag', () => {
    const custom = new PiiScrubber({ extraRules: [{ name: 'iban', pattern: /\bDE\d{20}\b/g }] });
    expect(custom.scrub('to DE89370400440532013000 from a@b.io')).toBe('to [REDACTED:iban] from [REDACTED:email]');
    expect(() => new PiiScrubber({ rules: [{ name: 'x', pattern: /x/ }] })).toThrow(/g flag/);
  });

  it('skips by a one-pass pre-check only values that no default rule changes', () => {
    // The same rules given explicitly run without the pre-check: the reference.
    const reference = new PiiScrubber({ rules: [...DEFAULT_PII_RULES] });
    const pieces = [
      'a', 'Z', '.', '-', '_', '/', '=', ':', '@', ' ', '\t', '\n', '\u00a0', '\u2003', '\u3000', '\ufeff', 'é', '0', '1', '4', '9',
      'e', 'y', 'J', 'eyJ', 'eyJhbGciOiJI', '.eyJzdWIi', 'Bearer ', 'Basic ', 'token', 'example.com', '.io', '4111', '1111', '5555', '-',
    ];
    for (let i = 0; i < 20_000; i++) {
      const value = Array.from({ length: randomInt(0, 24) }, () => pieces[randomInt(pieces.length)]).join('');
      const expected = reference.scrub(value);
      expect(scrubber.scrub(value)).toBe(expected);
      if (expected !== value) expect(mayHoldDefaultPii(value)).toBe(true);
    }
    for (const value of ['jane@example.com', 'Bearer abcdefgh1', 'eyJabcd.eyJabcd.x', '4111111111111111', 'a\u00a0b', 'x 1', 'tab\tkey']) {
      expect(mayHoldDefaultPii(value)).toBe(true);
    }
    for (const value of ['/api/v1/orders/42', 'ip-10-0-1-20.eu-west-1.compute.internal', 'postgres-kdzz87hbrt-hspnc', 'ey-J', '123-456']) {
      expect(mayHoldDefaultPii(value)).toBe(false);
    }
  });

  it('remembers secret-key verdicts only for a stateless key pattern', () => {
    const keys = ['authorization', 'http.request.header.cookie', 'db.password', 'user.api_key', 'http.route', 'passwordless', 'x-api-key', 'DB.PASSWORD'];
    for (let round = 0; round < 2; round++) {
      for (const key of keys) {
        const attributes = { [key]: 'v' };
        scrubber.scrubAttributes(attributes);
        expect(attributes[key]).toBe(SECRET_ATTRIBUTE_KEYS.test(key) ? '[REDACTED:secret]' : 'v');
      }
    }
    // A g-flag pattern keeps its lastIndex between tests, as before: every verdict is asked of the pattern itself.
    const global = /secret/g;
    const stateful = new PiiScrubber({ secretKeys: global });
    const verdicts = [0, 1, 2].map(() => {
      const attributes = { 'my.secret': 'v' };
      stateful.scrubAttributes(attributes);
      return attributes['my.secret'];
    });
    const expectedPattern = /secret/g;
    expect(verdicts).toEqual([0, 1, 2].map(() => (expectedPattern.test('my.secret') ? '[REDACTED:secret]' : 'v')));
  });
});
