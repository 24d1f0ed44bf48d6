/**
 * Normalises an enterprise name for matching (docs/sources.md: NFKC, brackets, spaces): full-width
 * characters fold to half-width, every bracket kind becomes ( ), and all white space goes.
 * The original is kept for display; only this form is compared.
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[［[【〔{｛〈《]/g, '(')
    .replace(/[］\]】〕}｝〉》]/g, ')')
    .replace(/[\s\u3000]+/g, '')
    .toUpperCase();
}

const SPACE = /[\s\u3000\uFEFF]/;

/** Trims ASCII and full-width (U+3000) white space, and a stray BOM, from a cell. */
export function trimCell(value: string): string {
  if (value === '' || (!SPACE.test(value[0]) && !SPACE.test(value[value.length - 1]))) return value;
  return value.replace(/^[\s\u3000\uFEFF]+|[\s\u3000\uFEFF]+$/g, '');
}

/** Edits (insert, delete, replace a character) between two words. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/**
 * The known name nearest to a mistyped one (`tax-payment` → `tax-payments`), when it is close
 * enough to be the one meant: at most a third of its letters differ, or it contains the word.
 */
export function nearestName(word: string, known: readonly string[]): string | null {
  const w = word.toLowerCase();
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = name.includes(w) && w.length >= 3 ? 1 : editDistance(w, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.name : null;
}

/** `（是否要找「X」？）` after an unknown name, when a known one is close. */
export const didYouMean = (word: string, known: readonly string[]): string => {
  const near = nearestName(word, known);
  return near ? `（是否要找「${near}」？）` : '';
};
