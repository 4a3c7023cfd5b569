import { describe, expect, it } from 'vitest';
import { csv, csvCell } from '../../../src/web/tab/csv.js';

describe('CSV cells', () => {
  it('quotes every cell and doubles quotes inside it', () => {
    expect(csvCell('Farah Khan')).toBe('"Farah Khan"');
    expect(csvCell('said "no"')).toBe('"said ""no"""');
    expect(csvCell('a, b\nc')).toBe('"a, b\nc"');
    expect(csvCell(12)).toBe('"12"');
    expect(csvCell(undefined)).toBe('""');
  });

  it.each(['=1+1', '+44 113 222', '-2+3', '@SUM(A1)', '\t=cmd', '\r=cmd'])('a cell starting like a formula (%j) is written as text', (value) => {
    expect(csvCell(value)).toBe(`"'${value}"`);
  });

  it('rows end with CRLF (RFC 4180)', () => {
    expect(csv([['a', 'b'], [1, 2]])).toBe('"a","b"\r\n"1","2"\r\n');
  });
});
