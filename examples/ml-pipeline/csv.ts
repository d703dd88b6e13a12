/** Just enough CSV for this example: a header row, comma-separated, no quoting. */

export type Row = Readonly<Record<string, string>>;

export function parseCsv(text: string): Row[] {
  const lines = text.split('\n').filter((line) => line !== '');
  const header = (lines[0] ?? '').split(',');
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length)
      throw new Error(`CSV line ${i + 2}: ${cells.length} cells, expected ${header.length}`);
    return Object.fromEntries(header.map((name, j) => [name, cells[j]!]));
  });
}

export function cell(row: Row, column: string): string {
  const value = row[column];
  if (value === undefined) throw new Error(`no column '${column}'`);
  return value;
}

/** A numeric cell; a missing column or a non-number is an error, not a silent NaN. */
export function num(row: Row, column: string): number {
  const text = cell(row, column);
  const value = text === '' ? NaN : Number(text);
  if (!Number.isFinite(value))
    throw new Error(`column '${column}': expected a number, got ${JSON.stringify(text)}`);
  return value;
}

export function formatCsv(header: readonly string[], rows: readonly (string | number)[][]): string {
  return [header, ...rows].map((cells) => cells.join(',')).join('\n') + '\n';
}
