// The preflight's result: one row per thing checked, each passing, failing with the fix, or not
// checked because something it depends on failed. Rendered as one plain-text table; the process
// exits 0 only when every row passes.

/** `ok`: verified. `FAIL`: wrong, with the fix. `skipped`: could not be checked (a row it needs failed). */
export type RowStatus = 'ok' | 'FAIL' | 'skipped';

export type RowId =
  | 'backpack.reachable'
  | 'backpack.clock'
  | 'backpack.keys'
  | 'backpack.market'
  | 'backpack.fees'
  | 'backpack.collateral'
  | 'backpack.book'
  | 'lighter.reachable'
  | 'lighter.clock'
  | 'lighter.chain'
  | 'lighter.key'
  | 'lighter.market'
  | 'lighter.fees'
  | 'lighter.tier'
  | 'lighter.collateral'
  | 'lighter.book'
  | 'positions'
  | 'books.agree';

export interface CheckRow {
  id: RowId;
  /** What is checked, in the trader's words: "Backpack reachable". */
  title: string;
  status: RowStatus;
  /** What was found: figures, never secrets. */
  detail: string;
  /** For a failing or skipped row: what to do. */
  fix?: string;
  /** The market a row is about, when the check covers several (its title then starts with it). */
  market?: string;
}

export interface CheckReport {
  rows: CheckRow[];
  /** True when every row is `ok`. */
  passed: boolean;
}

/** The table rows are printed in, whatever order the probes finished in. */
export const ROW_ORDER: readonly RowId[] = [
  'backpack.reachable',
  'backpack.clock',
  'backpack.keys',
  'backpack.market',
  'backpack.fees',
  'backpack.collateral',
  'backpack.book',
  'lighter.reachable',
  'lighter.clock',
  'lighter.chain',
  'lighter.key',
  'lighter.market',
  'lighter.fees',
  'lighter.tier',
  'lighter.collateral',
  'lighter.book',
  'positions',
  'books.agree',
];

/** The rows about both venues' accounts once, then each market's rows in the order the markets were given. */
export function report(rows: CheckRow[], markets: readonly string[] = []): CheckReport {
  const group = (r: CheckRow) => (r.market === undefined ? -1 : markets.indexOf(r.market));
  const sorted = [...rows].sort((a, b) => group(a) - group(b) || ROW_ORDER.indexOf(a.id) - ROW_ORDER.indexOf(b.id));
  return { rows: sorted, passed: sorted.length > 0 && sorted.every((r) => r.status === 'ok') };
}

/** The table: status, what, what was found; each failing row's fix on the line below it. */
export function renderTable(r: CheckReport): string {
  const titleWidth = Math.max(...r.rows.map((row) => row.title.length), 5);
  const lines = [`${'     '.padEnd(8)}${'check'.padEnd(titleWidth)}  found`, `${'─'.repeat(8 + titleWidth + 2 + 40)}`];
  for (const row of r.rows) {
    lines.push(`${row.status.padEnd(8)}${row.title.padEnd(titleWidth)}  ${row.detail}`);
    if (row.status !== 'ok' && row.fix !== undefined) lines.push(`${' '.repeat(8 + titleWidth + 2)}→ fix: ${row.fix}`);
  }
  const failed = r.rows.filter((row) => row.status === 'FAIL').length;
  const skipped = r.rows.filter((row) => row.status === 'skipped').length;
  lines.push('');
  lines.push(
    r.passed
      ? `all ${r.rows.length} checks passed: nothing was ordered; the run can start with these settings`
      : `${failed} of ${r.rows.length} checks failed${skipped > 0 ? `, ${skipped} could not be checked` : ''}: fix them before trading (no order was placed)`,
  );
  return lines.join('\n');
}
