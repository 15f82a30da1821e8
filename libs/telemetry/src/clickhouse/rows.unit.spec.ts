import { makeSpan } from '../processor/spec-fixtures';
import { compactRows, spanRow } from './rows';

describe('ClickHouse rows', () => {
  it('builds JSONCompactEachRow values in the column order of rows of one shape', () => {
    const rows = [{ A: 1, 'Events.Name': ['x'], C: { k: 'v' } }, { A: 2, 'Events.Name': [], C: {} }];
    expect(compactRows(rows)).toEqual({ columns: ['`A`', '`Events.Name`', '`C`'], values: [[1, ['x'], { k: 'v' }], [2, [], {}]] });
    expect(compactRows([{ 'we`ird\\': 1 }])?.columns).toEqual(['`we\\`ird\\\\`']);
  });

  it('leaves rows of mixed shapes, undefined values or no columns to JSONEachRow', () => {
    expect(compactRows([{ A: 1, B: 2 }, { B: 2, A: 1 }])).toBeNull(); // other order
    expect(compactRows([{ A: 1, B: 2 }, { A: 1 }])).toBeNull(); // missing key: its DEFAULT
    expect(compactRows([{ A: 1 }, { A: 1, B: 2 }])).toBeNull(); // extra key
    expect(compactRows([{ A: 1, B: undefined }])).toBeNull(); // undefined: DEFAULT in JSONEachRow, null here
    expect(compactRows([{}])).toBeNull();
    expect(compactRows([])).toBeNull();
  });

  it('gives every span row the same shape, with or without events and links', () => {
    const plain = spanRow(makeSpan('t'));
    const rich = spanRow(makeSpan('t', {
      events: [{ timeUnixNano: '1795289967256499000', name: 'exception', attributes: { a: 'b' } }],
      links: [{ traceId: 'u', spanId: 's', traceState: '', attributes: {} }],
    }));
    expect(compactRows([plain, rich])?.values.map((values) => values.length)).toEqual([Object.keys(plain).length, Object.keys(plain).length]);
    expect(rich).toMatchObject({ 'Events.Timestamp': ['1795289967.256499000'], 'Events.Name': ['exception'], 'Links.TraceId': ['u'] });
    expect(plain).toMatchObject({ 'Events.Timestamp': [], 'Links.Attributes': [], Duration: '2500000' });
  });
});
