/**
 * Fitting the demo's live view to the terminal. Pure, so that it can be tested
 * without a terminal.
 */

/** The width to draw for: the terminal's, or 120 when it reports none (undefined, or 0 as some ptys and CI runners do). */
export function usableColumns(columns: number | undefined): number {
  return columns !== undefined && Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : 120;
}

/**
 * Clips a line (ANSI colours allowed) to `columns`, so that a redraw in place
 * never wraps (and never miscounts its lines). A clipped line loses its colours.
 */
export function fitToWidth(line: string, columns: number | undefined): string {
  const cols = usableColumns(columns);
  // eslint-disable-next-line no-control-regex
  const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
  return plain.length < cols ? line : plain.slice(0, Math.max(1, cols - 1));
}
