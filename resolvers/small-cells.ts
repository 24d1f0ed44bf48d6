/**
 * Small-cell suppression (docs/security.md). A sum over one or two firms is their own figure to
 * anyone who knows which firms they are, so a role below analyst does not get a by-town,
 * by-industry or by-cluster figure over fewer than `minFirms` firms (EDP_MIN_CELL_FIRMS, default 3).
 *
 * Primary: every cell over 1 … minFirms − 1 firms is withheld. Secondary: while the withheld cells
 * of a table hold fewer than `minFirms` firms together, the smallest cell still shown is withheld
 * too, so that the county total minus the cells shown tells no small cell either. A cell over no
 * firm is shown: its zeros tell nothing.
 */

/** A row of an aggregate table as one caller reads it: `suppressed` when its figures are withheld. */
export type Cell<T> = T & { suppressed: boolean };

/**
 * The rows of one table, each marked `suppressed` or not for a caller; `firms` counts the firms a
 * row's figures are summed over. With `applies` false (analyst, admin) or `minFirms` ≤ 1 nothing is.
 */
export function suppressSmallCells<T extends object>(
  rows: readonly T[],
  firms: (row: T) => number,
  minFirms: number,
  applies: boolean,
): Cell<T>[] {
  const withheld = new Set<T>();
  if (applies && minFirms > 1) {
    for (const row of rows) {
      const n = firms(row);
      if (n > 0 && n < minFirms) withheld.add(row);
    }
    const shown = rows
      .filter((row) => !withheld.has(row) && firms(row) > 0)
      .sort((a, b) => firms(a) - firms(b));
    const held = () => [...withheld].reduce((sum, row) => sum + firms(row), 0);
    while (withheld.size > 0 && held() < minFirms && shown.length > 0) withheld.add(shown.shift()!);
  }
  return rows.map((row) => ({ ...row, suppressed: withheld.has(row) }));
}

/** The note a suppressed cell carries, in the clerk's words. */
export const suppressedNote = (minFirms: number) =>
  `涉及企业少于 ${minFirms} 家（或为防止由合计反推而一并隐去），数值不予显示`;
