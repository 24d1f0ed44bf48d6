/**
 * Units the figures are kept in. 亩 (mu) is the Chinese land unit the county's policies use:
 * 1 亩 = 10000/15 m² ≈ 666.67 m², so 1 m² = 0.0015 亩 exactly.
 */

/** 亩 per square metre (m²): land in 亩 = land in m² × MU_PER_M2. */
export const MU_PER_M2 = 0.0015;

/** Square metres (m², a numeric column's text or a number) in 亩; null stays null. */
export const muFromSquareMetres = (m2: string | number | null | undefined): number | null =>
  m2 === null || m2 === undefined ? null : Number(m2) * MU_PER_M2;

/** 亩 in square metres (m²); the inverse of {@link muFromSquareMetres}. */
export const squareMetresFromMu = (mu: number): number => mu / MU_PER_M2;
