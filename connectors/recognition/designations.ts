import { designations as t } from '../../db/recognition.js';
import { usccProblem } from '../common/uscc.js';
import { normaliseHeader, type RowView } from '../pipeline/columns.js';
import { SINGLE_PARTY, type SourceDefinition } from '../pipeline/source.js';

/** 认定类型 (docs/sources.md 5a): any other type is quarantined. */
export const DESIGNATION_TYPES = [
  '国家级专精特新小巨人',
  '省级专精特新中小企业',
  '两化融合管理体系贯标',
  '省级智能工厂',
  '省级数字化车间',
  '省级5G产业试点示范项目',
  '工业互联网创新示范企业',
  '国家首台(套)重大技术装备',
  '省首台(套)重大技术装备',
  '规上工业企业首次纳统',
  '攀登工程协议完成',
  '服装加工龙头企业(核心厂)备案',
  '单品精益化工厂',
  '技术改造扶持',
] as const;

/** The attachment of a 单品精益化工厂 to its core factory. */
const ATTACHED_TYPE = '单品精益化工厂';

// Full-width brackets and stray spaces in a type name fold to the canonical spelling.
const TYPES_BY_FORM = new Map(DESIGNATION_TYPES.map((type) => [normaliseHeader(type), type]));

/**
 * 5a `designations` — recognitions, certifications and filings. Natural key (enterprise, 认定类型, 认定日期),
 * the enterprise as delivered (identifier, else normalised name). 关联企业统一社会信用代码 is required for
 * 单品精益化工厂 (the core factory it is attached to) and must be a valid USCC wherever given.
 */
export const designationsSource: SourceDefinition = {
  name: 'designations',
  title: '工业和信息化局等 认定 (designations)',
  readBy: null,
  columns: [
    { key: 'ident', header: '统一社会信用代码', required: true },
    { key: 'name', header: '企业名称', required: true },
    { key: 'type', header: '认定类型', required: true },
    { key: 'recognizedOn', header: '认定日期', required: true },
    { key: 'issuer', header: '认定部门' },
    { key: 'documentNo', header: '文号' },
    { key: 'coreFactory', header: '关联企业统一社会信用代码' },
  ],
  table: 'designations',
  keyColumns: [t.identityKey.name, t.type.name, t.recognizedOn.name],
  valueColumns: [
    t.identityKey.name,
    t.type.name,
    t.recognizedOn.name,
    t.issuer.name,
    t.documentNo.name,
    t.coreFactoryUscc.name,
  ],
  keySql: (p) =>
    `${p}identity_key || '|' || ${p}type || '|' || to_char(${p}recognized_on, 'YYYY-MM-DD')`,
  keyLabel: '企业, 认定类型 and 认定日期',
  parties: [SINGLE_PARTY],
  parse(row: RowView) {
    const party = row.party('ident', 'name');
    const identityKey = party.ident || party.nameNorm;
    const delivered = row.required('type');
    const type = delivered ? TYPES_BY_FORM.get(normaliseHeader(delivered)) : undefined;
    if (delivered && !type)
      row.reasons.push(`认定类型 "${delivered}" 不是已知类型（${DESIGNATION_TYPES.join('、')}）`);
    const recognizedOn = row.date('recognizedOn', true);
    const core =
      row.optional('coreFactory')?.normalize('NFKC').replace(/\s+/g, '').toUpperCase() ?? null;
    if (core) {
      const problem = usccProblem(core);
      if (problem) row.reasons.push(`关联企业统一社会信用代码: ${problem}`);
    } else if (type === ATTACHED_TYPE) {
      row.reasons.push(`关联企业统一社会信用代码为空：${ATTACHED_TYPE}须写明所挂靠的核心厂`);
    }
    return {
      key: `${identityKey}|${type}|${recognizedOn}`,
      parties: [party],
      values: {
        [t.identityKey.name]: identityKey,
        [t.type.name]: type ?? null,
        [t.recognizedOn.name]: recognizedOn,
        [t.issuer.name]: row.optional('issuer'),
        [t.documentNo.name]: row.optional('documentNo'),
        [t.coreFactoryUscc.name]: core,
      },
    };
  },
};
