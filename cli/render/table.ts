import { visibleWidth } from './style';

export interface TableOptions {
  /** Printed above the rows; its cells count for the column widths. */
  readonly header?: readonly string[];
  /** Put in front of every line, to nest a table under a heading. */
  readonly indent?: string;
}

const GAP = '  ';

/**
 * Left-aligned columns as wide as their widest cell, two spaces apart. A cell may hold several lines
 * (split on "\n"); rows with more than one line are then separated by a blank line so each reads as
 * one block. Trailing spaces are trimmed. Returns the lines with a final newline.
 */
export function renderTable(rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const indent = options.indent ?? '';
  const split = (row: readonly string[]) => row.map((cell) => cell.split('\n'));
  const body = rows.map(split);
  const all = options.header ? [split(options.header), ...body] : body;
  const columns = Math.max(0, ...all.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(0, ...all.flatMap((row) => (row[column] ?? []).map(visibleWidth))),
  );
  const multiLine = body.some((row) => row.some((cell) => cell.length > 1));

  const renderRow = (row: string[][]): string[] => {
    const height = Math.max(1, ...row.map((cell) => cell.length));
    return Array.from({ length: height }, (_, line) =>
      (indent + row.map((cell, column) => pad(cell[line] ?? '', widths[column] ?? 0)).join(GAP)).trimEnd(),
    );
  };

  const lines: string[] = [];
  if (options.header) lines.push(...renderRow(split(options.header)));
  body.forEach((row, index) => {
    if (multiLine && index > 0) lines.push('');
    lines.push(...renderRow(row));
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}
