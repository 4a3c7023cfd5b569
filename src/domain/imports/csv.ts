/**
 * Reading a CSV file a school exported: bytes → text → header and rows, with every problem as
 * `{ file, row, column, message }` in words. Rows are numbered as a spreadsheet shows them (the header is row 1).
 *
 * Text: UTF-8 with or without a byte-order mark is read as it is. Anything else is looked at with `chardet`:
 * Windows-1252 (or its subset ISO-8859-1), what Excel's "CSV (Comma delimited)" writes, is converted with a
 * warning; any other encoding, or binary data, is refused plainly.
 */
import chardet from 'chardet';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

export interface ImportProblem {
  file: string;
  /** Spreadsheet row: 1 is the header. 0 when the problem is the file as a whole. */
  row: number;
  /** The column's header, or '' when the problem is the file or the row as a whole. */
  column: string;
  message: string;
}

export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

export interface DecodedFile {
  name: string;
  text?: string;
  warnings: ImportProblem[];
  errors: ImportProblem[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII as a whole, whose control characters are checked per cell
const PLAUSIBLE_1252 = /^[\u0000-\u007fÀ-ÖØ-öø-ÿŒœŠšŽžŸ’‘“”–—€£°´·]*$/;

export function decodeCsv(file: ImportFile): DecodedFile {
  const { name } = file;
  let bytes = file.bytes;
  const fail = (message: string): DecodedFile => ({ name, warnings: [], errors: [{ file: name, row: 0, column: '', message }] });
  if (bytes.length === 0) return fail('the file is empty');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return fail('the file is UTF-16 text; save it as "CSV UTF-8 (Comma delimited)" and import it again');
  }
  if (bytes.includes(0)) return fail('the file is not text (it holds NUL bytes); export it as CSV');
  try {
    return { name, text: utf8.decode(bytes), warnings: [], errors: [] };
  } catch {
    // not UTF-8: see what it looks like
  }
  const guess = chardet.detect(bytes);
  const text = iconv.decode(Buffer.from(bytes), 'win1252');
  // a short file gives the detector little to go on: Windows-1252 only when every character beyond ASCII is a
  // letter or a mark European names and addresses use (another encoding read this way gives ¾, ˜, ‰…)
  if ((guess === 'windows-1252' || guess === 'ISO-8859-1' || guess === 'ISO-8859-15') && PLAUSIBLE_1252.test(text)) {
    return {
      name,
      text,
      warnings: [{ file: name, row: 0, column: '', message: 'the file is not UTF-8: it was read as Windows-1252 (an Excel CSV export); check that names with accents look right below' }],
      errors: [],
    };
  }
  return fail(`the file is not UTF-8 text${guess && !guess.startsWith('windows-125') && !guess.startsWith('ISO-8859') ? ` (it looks like ${guess})` : ''}; save it as "CSV UTF-8 (Comma delimited)" and import it again`);
}

export interface CsvTable {
  name: string;
  header: string[];
  /** Data rows with their spreadsheet row number. */
  rows: Array<{ row: number; cells: Record<string, string> }>;
}

/** At most this many data rows in one file (a trust of 10,000 staff with room to spare). */
export const MAX_ROWS = 20_000;

export function parseCsv(name: string, text: string, required: readonly string[], known: readonly string[] | 'any'): { table?: CsvTable; errors: ImportProblem[] } {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true, max_record_size: 100_000 }) as string[][];
  } catch (error) {
    const e = error as { lines?: number; message?: string; code?: string };
    const reason = (e.code ?? '').includes('QUOTE') ? 'a quoted field is not closed or has a stray quote' : 'the file is not valid CSV';
    return { errors: [{ file: name, row: e.lines ?? 0, column: '', message: reason }] };
  }
  if (records.length === 0) return { errors: [{ file: name, row: 0, column: '', message: 'the file has no header row' }] };
  const header = (records[0] ?? []).map((h) => h.trim());
  const errors: ImportProblem[] = [];
  for (const column of required) {
    if (!header.includes(column)) errors.push({ file: name, row: 1, column, message: `the header has no "${column}" column (headers are case-sensitive)` });
  }
  const seen = new Set<string>();
  header.forEach((h) => {
    if (h !== '' && seen.has(h)) errors.push({ file: name, row: 1, column: h, message: `the header names "${h}" twice` });
    seen.add(h);
    if (known !== 'any' && h !== '' && !known.includes(h)) errors.push({ file: name, row: 1, column: h, message: `"${h}" is not a column of this template (it has ${known.join(', ')})` });
  });
  if (records.length - 1 > MAX_ROWS) errors.push({ file: name, row: 0, column: '', message: `the file has more than ${MAX_ROWS} rows` });
  if (errors.length > 0) return { errors };
  const rows: CsvTable['rows'] = [];
  for (let i = 1; i < records.length; i++) {
    const record = records[i] ?? [];
    const cells: Record<string, string> = Object.create(null);
    header.forEach((h, c) => {
      if (h !== '') cells[h] = (record[c] ?? '').trim();
    });
    if (record.length > header.length && record.slice(header.length).some((v) => v.trim() !== '')) {
      errors.push({ file: name, row: i + 1, column: '', message: `the row has ${record.length} cells but the header has ${header.length} columns` });
      continue;
    }
    rows.push({ row: i + 1, cells });
  }
  return { table: { name, header, rows }, errors };
}

/** A cell a spreadsheet would run as a formula when the file is opened again (OWASP "CSV injection"). */
export function formulaProblem(value: string): string | undefined {
  const first = value.charAt(0);
  if (first === '=' || first === '+' || first === '-' || first === '@' || first === '\t' || first === '\r') {
    return `starts with "${first === '\t' ? 'a tab' : first === '\r' ? 'a carriage return' : first}", so a spreadsheet would run it as a formula; remove that character`;
  }
  return undefined;
}

/** Control characters (other than none) have no place in a name, an address or an id. */
export function controlProblem(value: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(value) ? 'holds a control character or a line break' : undefined;
}
