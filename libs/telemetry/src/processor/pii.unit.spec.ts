import { isCardNumber, luhnValid, PiiScrubber } from './pii';

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
});
