import { techProjects as t } from '../../db/recognition.js';
import type { RowView } from '../pipeline/columns.js';
import { SINGLE_PARTY, type SourceDefinition } from '../pipeline/source.js';

/**
 * 5b `tech-projects` — 智能化改造 projects. Natural key 项目编号. 设备投资 and 软件投资 in 元, excluding
 * VAT (不含税); both are required (an empty amount is not guessed to be 0). 已享受技术改造扶持: 是 / 否.
 */
export const techProjectsSource: SourceDefinition = {
  name: 'tech-projects',
  title: '工业和信息化局 智能化改造项目 (intelligent-transformation projects)',
  readBy: null,
  columns: [
    { key: 'projectNo', header: '项目编号', required: true },
    { key: 'ident', header: '统一社会信用代码', required: true },
    { key: 'name', header: '企业名称', required: true },
    { key: 'projectName', header: '项目名称' },
    { key: 'equipment', header: '设备投资(元,不含税)', money: true, required: true },
    { key: 'software', header: '软件投资(元,不含税)', money: true, required: true },
    { key: 'acceptedOn', header: '验收日期', required: true },
    { key: 'supported', header: '已享受技术改造扶持', required: true },
  ],
  table: 'tech_projects',
  keyColumns: [t.projectNo.name],
  valueColumns: [
    t.projectNo.name,
    t.projectName.name,
    t.equipmentYuan.name,
    t.softwareYuan.name,
    t.acceptedOn.name,
    t.alreadySupported.name,
  ],
  keySql: (p) => `${p}project_no`,
  keyLabel: '项目编号',
  parties: [SINGLE_PARTY],
  parse(row: RowView) {
    const projectNo = row.required('projectNo') ?? '';
    return {
      key: projectNo,
      parties: [row.party('ident', 'name')],
      values: {
        [t.projectNo.name]: projectNo,
        [t.projectName.name]: row.optional('projectName'),
        [t.equipmentYuan.name]: row.money('equipment', true),
        [t.softwareYuan.name]: row.money('software', true),
        [t.acceptedOn.name]: row.date('acceptedOn'),
        [t.alreadySupported.name]: row.yesNo('supported', true),
      },
    };
  },
};
