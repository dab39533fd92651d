// Markdown tables for bench/ output, so a printed run can be pasted into RESULTS.md unchanged.

export type Cell = string | number;

/** Formats a number for a table: thousands separators for big values, fixed decimals for fractions. */
export function formatNumber(value: number, decimals = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number.isInteger(value) ? String(value) : value.toFixed(decimals);
}

export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  if (header.length === 0) throw new RangeError('a table needs at least one column');
  for (const row of rows) {
    if (row.length !== header.length) throw new RangeError(`row has ${row.length} cells, header ${header.length}`);
  }
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...text.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [line(header), rule, ...text.map(line)].join('\n');
}
