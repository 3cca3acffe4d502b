/** Plain-text tables and key/value blocks for people; `--json` bypasses them. */

export const formatTime = (value: Date | undefined) => (value ? value.toISOString() : '-');

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function fields(pairs: [string, string | number | boolean | Date | undefined][]): string {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs
    .map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${value instanceof Date || value === undefined ? formatTime(value) : String(value)}`)
    .join('\n');
}
