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
