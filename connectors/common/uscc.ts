/**
 * 统一社会信用代码 (USCC, GB 32100-2015): 18 characters over a 31-letter alphabet, the 18th
 * a check character over the first 17. Characters 9–17 are the 组织机构代码 (organisation code).
 */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters, or null when one is outside the alphabet. */
export function usccCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * WEIGHTS[i];
  }
  const check = 31 - (sum % 31);
  return USCC_ALPHABET[check === 31 ? 0 : check];
}

/** Why a value is not a valid USCC, or null when it is one. */
export function usccProblem(value: string): string | null {
  if (value.length !== 18) return `统一社会信用代码 "${value}" 有 ${value.length} 位，应为 18 位`;
  const bad = [...value].find((c) => !USCC_ALPHABET.includes(c));
  if (bad) return `统一社会信用代码 "${value}" 含有不允许的字符 "${bad}"`;
  const check = usccCheckChar(value.slice(0, 17));
  if (check !== value[17])
    return `统一社会信用代码 "${value}" 校验码不符（应为 ${check}，实为 ${value[17]}）`;
  return null;
}

export const isValidUscc = (value: string): boolean => usccProblem(value) === null;

/** A 旧税务登记号: 6-digit region code + 9-character organisation code (15 characters). */
export const LEGACY_TAX_NO = /^[0-9]{6}[0-9A-Z]{9}$/;

/** The organisation code (组织机构代码) inside a USCC: characters 9–17. */
export const organisationCodeOfUscc = (uscc: string): string => uscc.slice(8, 17);

/** The organisation code inside a legacy tax number: its last 9 characters. */
export const organisationCodeOfLegacy = (legacy: string): string => legacy.slice(6);

export type IdentifierKind = 'uscc' | 'legacy' | 'none' | 'invalid';

/**
 * Classifies an identifier as delivered (already trimmed and upper-cased): each kind is
 * resolved by its own rule, with no fall-through (docs/sources.md, entity resolution).
 */
export function classifyIdentifier(value: string | null | undefined): {
  kind: IdentifierKind;
  problem?: string;
} {
  if (!value) return { kind: 'none' };
  if (value.length === 15 && LEGACY_TAX_NO.test(value)) return { kind: 'legacy' };
  const problem = usccProblem(value);
  return problem ? { kind: 'invalid', problem } : { kind: 'uscc' };
}
