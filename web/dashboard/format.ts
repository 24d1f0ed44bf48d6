/** Number formats for county leaders: 亿元 and 万元 for money, whole 元/亩 for 亩均税收. */

const grouped = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const fixed2 = new Intl.NumberFormat('zh-CN', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

export const integer = (n: number) => grouped.format(n);
/** two decimals, grouped: 1,197.42 */
export const twoDecimals = (n: number) => fixed2.format(n);
/** 元 → 亿元 with two decimals */
export const yi = (yuan: number) => `${fixed2.format(yuan / 1e8)} 亿元`;
/** 元 → 万元 with two decimals */
export const wan = (yuan: number) => `${fixed2.format(yuan / 1e4)} 万元`;
export const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

/** What a figure withheld as a small cell (too few firms) shows instead (docs/security.md). */
export const WITHHELD = '不公开';
/** A figure in `format`, or WITHHELD when the API withheld it (null). */
export const shown = <T>(value: T | null, format: (value: T) => string) =>
  value === null ? WITHHELD : format(value);

export { labelOf } from '../../lib/source-labels.js';

/** ISO timestamp → "2025-03-01 16:00" in the browser's time zone */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Whole days from an ISO timestamp to now. */
export const daysSince = (iso: string) =>
  Math.floor((Date.now() - new Date(iso).getTime()) / 86_400_000);

/** Text from the data for an HTML tooltip: names come from department files. */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
