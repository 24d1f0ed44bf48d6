import { enterprises as e } from '../../db/market.js';
import { normaliseName } from '../../lib/names.js';
import { usccProblem } from '../common/uscc.js';
import type { RowView } from '../pipeline/columns.js';
import type { SourceDefinition } from '../pipeline/source.js';
import { industryCodeProblem } from './industry.js';

/** 登记状态 values of the register (存续 and 在业 are active). */
export const REGISTRATION_STATUSES = ['存续', '在业', '迁出', '吊销', '注销'] as const;

/** 曾用名: several former names separated by ; or ；. */
export function splitFormerNames(cell: string): string[] {
  const names = cell
    .split(/[;；]/)
    .map((n) => n.replace(/^[\s\u3000]+|[\s\u3000]+$/g, ''))
    .filter(Boolean);
  return [...new Set(names)];
}

/** Today's date in China (UTC+8, no daylight saving) as YYYY-MM-DD: the register's calendar. */
export function chinaToday(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * One register row. Besides the cells' own formats, values no enterprise can have are quarantined:
 * a negative 注册资本, a 成立日期 after today (China's calendar), a 行业代码 that is no GB/T 4754-2017
 * class (industry.ts).
 */
function parse(row: RowView) {
  const uscc = (row.required('uscc') ?? '').normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  if (uscc) {
    const problem = usccProblem(uscc);
    if (problem) row.reasons.push(problem);
  }
  const name = row.required('name');
  const status = row.required('status');
  if (status && !(REGISTRATION_STATUSES as readonly string[]).includes(status)) {
    row.reasons.push(`登记状态 "${status}" 不是 ${REGISTRATION_STATUSES.join('、')} 之一`);
  }
  const industryCode = row.optional('industryCode')?.toUpperCase() ?? null;
  const industryProblem = industryCode && industryCodeProblem(industryCode);
  if (industryProblem) row.reasons.push(industryProblem);
  const code = industryProblem ? null : industryCode;
  const capital = row.money('capital');
  if (capital?.startsWith('-'))
    row.reasons.push(
      `注册资本 "${row.text('capital')}" 为负数（${capital} 元）：注册资本不能小于零`,
    );
  const establishedOn = row.date('establishedOn');
  const today = chinaToday();
  if (establishedOn && establishedOn > today)
    row.reasons.push(`成立日期 ${establishedOn} 晚于今天（${today}）：企业不能在未来成立`);
  const formerNames = splitFormerNames(row.text('formerNames'));
  return {
    key: uscc,
    parties: [],
    values: {
      [e.uscc.name]: uscc,
      [e.name.name]: name,
      [e.nameNorm.name]: name ? normaliseName(name) : null,
      [e.formerNames.name]: formerNames,
      [e.formerNamesNorm.name]: [...new Set(formerNames.map(normaliseName))],
      [e.legalRepresentative.name]: row.optional('legalRepresentative'),
      [e.legalForm.name]: row.optional('legalForm'),
      [e.registeredCapitalYuan.name]: capital,
      [e.establishedOn.name]: establishedOn,
      [e.status.name]: status,
      [e.address.name]: row.optional('address'),
      [e.town.name]: row.optional('town'),
      [e.industryCode.name]: code,
      [e.industrySection.name]: code?.slice(0, 1) ?? null,
      [e.industryDivision.name]: code?.slice(0, 3) ?? null,
    },
  };
}

/**
 * 1a `market-registry` — 市场监督管理局 企业登记, the enterprise master. Natural key 统一社会信用代码.
 * 注册资本 arrives in 万元 and is stored in 元. Every other source's records are resolved again after
 * each register batch.
 */
export const marketRegistry: SourceDefinition = {
  name: 'market-registry',
  title: '市场监督管理局 企业登记 (enterprise register)',
  readBy: 'market',
  columns: [
    { key: 'uscc', header: '统一社会信用代码', required: true },
    { key: 'name', header: '企业名称', required: true },
    { key: 'formerNames', header: '曾用名' },
    { key: 'legalRepresentative', header: '法定代表人' },
    { key: 'legalForm', header: '企业类型' },
    { key: 'capital', header: '注册资本(万元)', money: true },
    { key: 'establishedOn', header: '成立日期' },
    { key: 'status', header: '登记状态', required: true },
    { key: 'address', header: '住所' },
    { key: 'town', header: '所属乡镇' },
    { key: 'industryCode', header: '行业代码' },
  ],
  table: 'enterprises',
  keyColumns: [e.uscc.name],
  valueColumns: [
    e.uscc.name,
    e.name.name,
    e.nameNorm.name,
    e.formerNames.name,
    e.formerNamesNorm.name,
    e.legalRepresentative.name,
    e.legalForm.name,
    e.registeredCapitalYuan.name,
    e.establishedOn.name,
    e.status.name,
    e.address.name,
    e.town.name,
    e.industryCode.name,
    e.industrySection.name,
    e.industryDivision.name,
  ],
  keySql: (p) => `${p}uscc`,
  keyLabel: '统一社会信用代码',
  parties: [],
  parse,
  changesRegister: true,
};
