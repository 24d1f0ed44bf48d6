import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The sections and divisions of GB/T 4754-2017: data (config/industry-divisions.json), validated once. */
export const INDUSTRY_DIVISIONS_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'config',
  'industry-divisions.json',
);

const fileSchema = z.object({
  sections: z
    .array(
      z.object({
        /** 门类, e.g. C */
        letter: z.string().regex(/^[A-Z]$/),
        /** e.g. 制造业 */
        name: z.string().min(1),
        /** 大类 code (two digits) → name, e.g. "36": "汽车制造业" */
        divisions: z.record(z.string().regex(/^\d{2}$/), z.string().min(1)),
      }),
    )
    .min(1),
});

/** 大类 (two digits) → its 门类 letter and name. */
function loadDivisions(): Map<string, { letter: string; name: string }> {
  const file = fileSchema.parse(JSON.parse(readFileSync(INDUSTRY_DIVISIONS_FILE, 'utf8')));
  const divisions = new Map<string, { letter: string; name: string }>();
  for (const section of file.sections) {
    for (const [code, name] of Object.entries(section.divisions)) {
      const other = divisions.get(code);
      if (other)
        throw new Error(
          `${INDUSTRY_DIVISIONS_FILE}: division ${code} is in section ${other.letter} and ${section.letter}`,
        );
      divisions.set(code, { letter: section.letter, name });
    }
  }
  return divisions;
}

const DIVISIONS = loadDivisions();

/** 行业代码 as the register writes it: a 门类 letter and the four digits of a 小类, e.g. C3670. */
const CODE_SHAPE = /^([A-Z])(\d{2})\d{2}$/;

/**
 * Why a register 行业代码 is not a GB/T 4754-2017 class, in Chinese for the clerk, or null when it
 * is one as far as the table goes: a letter and four digits, whose first two digits are a 大类
 * (01–97) of that letter's 门类 (C36 is 汽车制造业 in 制造业; B36 is no code). The 中类 and 小类
 * digits within a 大类 are not checked. `code` is upper-cased already.
 */
export function industryCodeProblem(code: string): string | null {
  const shape = CODE_SHAPE.exec(code);
  if (!shape) return `行业代码 "${code}" 格式不对：应为门类字母加四位数字（如 C3670）`;
  const [, letter, division] = shape;
  const known = DIVISIONS.get(division);
  if (!known) return `行业代码 "${code}" 不是 GB/T 4754-2017 的行业：大类 ${division} 不存在`;
  if (known.letter !== letter)
    return `行业代码 "${code}" 不是 GB/T 4754-2017 的行业：大类 ${division}（${known.name}）属于门类 ${known.letter}，不属于门类 ${letter}`;
  return null;
}
