import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  classifyIdentifier,
  isValidUscc,
  USCC_ALPHABET,
  usccCheckChar,
} from '../../connectors/common/uscc.js';
import { mapHeader } from '../../connectors/pipeline/columns.js';
import { copyLine } from '../../connectors/pipeline/copy-text.js';
import { detectEncoding } from '../../connectors/pipeline/encoding.js';
import { MissingColumnError } from '../../connectors/pipeline/errors.js';
import {
  CellError,
  parseDate,
  parseMoney,
  parseMonth,
  parseQuantity,
  parseYear,
  shiftDecimal,
} from '../../connectors/pipeline/parsers.js';
import { taxPaymentsSource } from '../../connectors/tax/payments.js';
import { normaliseName, trimCell } from '../../lib/names.js';

describe('cell parsers (docs/sources.md, common rules)', () => {
  it('reads money in every notation as an exact decimal string in 元', () => {
    expect(parseMoney('1,234,567.89')).toBe('1234567.89');
    expect(parseMoney('¥-85,000.00')).toBe('-85000.00');
    expect(parseMoney('-1,234.00')).toBe('-1234.00');
    expect(parseMoney('500.00-')).toBe('-500.00');
    expect(parseMoney('￥1,000')).toBe('1000');
    expect(parseMoney('¥ 12')).toBe('12');
    expect(parseMoney('１２３.４')).toBe('123.4'); // full-width digits
    expect(parseMoney('0')).toBe('0');
    expect(parseMoney('-0.00')).toBe('0.00');
    expect(parseMoney('007')).toBe('7');
    // Far beyond a float's precision, still exact.
    expect(parseMoney('123,456,789,012,345.67')).toBe('123456789012345.67');
  });

  it('multiplies 万元 by 10000 by moving the decimal point, never through a float', () => {
    expect(parseMoney('1,200.5', 10000)).toBe('12005000');
    expect(parseMoney('123.456789', 10000)).toBe('1234567.89');
    expect(parseMoney('0.05-', 10000)).toBe('-500');
    expect(parseMoney('0.0001', 10000)).toBe('1');
    expect(shiftDecimal('0.1', 4)).toBe('1000');
    expect(shiftDecimal('-12.34567', 4)).toBe('-123456.7');
  });

  it('refuses what is not an amount, with the cell in the message', () => {
    for (const bad of ['abc', '1,23,456', '--5', '12.3.4', '', '¥', '1.234', '5万']) {
      expect(() => parseMoney(bad), bad).toThrow(CellError);
    }
    expect(() => parseMoney('0.0000001', 10000)).toThrow(/超过两位小数/);
    expect(() => parseQuantity('-5')).toThrow(/为负数/);
  });

  it('reads the four date formats and refuses impossible dates', () => {
    for (const text of [
      '2024-03-05',
      '2024/3/5',
      '2024年3月5日',
      '20240305',
      '2024.3.5',
      '２０２４-０３-０５',
    ]) {
      expect(parseDate(text), text).toBe('2024-03-05');
    }
    expect(parseDate('2024-02-29')).toBe('2024-02-29');
    expect(() => parseDate('2023-02-29')).toThrow(/2023 年 2 月没有 29 日/);
    expect(() => parseDate('2024-13-01')).toThrow(/没有 13 月/);
    expect(() => parseDate('不详')).toThrow(CellError);
    // a spreadsheet serial number is not a date format of docs/sources.md: never guessed
    expect(() => parseDate('45000')).toThrow(/是数字，不是日期.*2023-03-15/);
  });

  it('reads the four month formats as the first day of the month', () => {
    for (const text of ['2024-03', '202403', '2024年3月', '2024/03', '2024-3', '2024-03-17']) {
      expect(parseMonth(text), text).toBe('2024-03-01');
    }
    expect(() => parseMonth('2024-13')).toThrow(/没有 13 月/);
    expect(() => parseMonth('March')).toThrow(CellError);
    expect(parseYear('2023年')).toBe(2023);
    expect(() => parseYear('二〇二三')).toThrow(CellError);
  });

  it('trims ASCII and full-width spaces and folds brackets for matching only', () => {
    expect(trimCell('\u3000 汶上县 \u3000')).toBe('汶上县');
    expect(trimCell('\uFEFF统一社会信用代码')).toBe('统一社会信用代码');
    expect(normaliseName('汶上县华力机电（集团）有限公司')).toBe(
      normaliseName('汶上县华力机电(集团)有限公司'),
    );
    expect(normaliseName('汶上县　华力')).toBe('汶上县华力');
  });

  it('writes COPY text with every special character escaped', () => {
    expect(copyLine(['a\tb', 'c\nd', 'e\\f', null, 3, true, ['x', 'y"z'], { k: 'v' }])).toBe(
      'a\\tb\tc\\nd\te\\\\f\t\\N\t3\tt\t{"x","y\\\\"z"}\t{"k":"v"}\n',
    );
  });
});

describe('encoding detection', () => {
  const text = '纳税人名称\n汶上县䶮丰农业有限公司\n';
  it('tells UTF-8, UTF-8 with BOM and GB18030 apart', () => {
    const utf8 = Buffer.from(text, 'utf8');
    expect(detectEncoding(utf8, true)).toBe('utf-8');
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]), true)).toBe(
      'utf-8-bom',
    );
    const gb = iconv.encode(text, 'gb18030');
    expect(detectEncoding(gb, true)).toBe('gb18030');
    expect(iconv.decode(gb, 'gb18030')).toBe(text); // 䶮 survives the round trip
  });

  it('decides by the header line: a GB18030 row in a UTF-8 file does not make it GB18030', () => {
    const mixed = Buffer.concat([
      Buffer.from('纳税人名称\n汶上县华力\n', 'utf8'),
      iconv.encode('汶上县䶮丰农业有限公司\n', 'gb18030'),
    ]);
    expect(detectEncoding(mixed, true)).toBe('utf-8');
    expect(
      detectEncoding(
        Buffer.concat([iconv.encode('纳税人名称\n', 'gb18030'), Buffer.from('汶上县\n')]),
        true,
      ),
    ).toBe('gb18030');
  });

  it('does not take a UTF-8 sample cut in the middle of a character for GB18030', () => {
    const utf8 = Buffer.from('汶上县'.repeat(100), 'utf8');
    for (const cut of [1, 2])
      expect(detectEncoding(utf8.subarray(0, utf8.length - cut), false)).toBe('utf-8');
  });
});

describe('header mapping', () => {
  it('finds columns by name in any order, ignores unknown ones and reads the unit of money columns', () => {
    const map = mapHeader(
      taxPaymentsSource.columns,
      [
        '征收机关',
        '实缴金额（万元）',
        '税种',
        '税款所属期',
        '纳税人名称',
        ' 纳税人识别号 ',
        '税票号码',
      ],
      'f.csv',
      'tax-payments',
    );
    expect(map.index.get('amount')).toBe(1);
    expect(map.scale.get('amount')).toBe(10000);
    expect(map.index.get('ident')).toBe(5);
    expect(map.ignored).toEqual(['征收机关']);
  });

  it('names every missing required column', () => {
    let error: unknown;
    try {
      mapHeader(
        taxPaymentsSource.columns,
        ['纳税人识别号', '纳税人名称', '税款所属期', '实缴金额(元)'],
        'f.csv',
        'tax-payments',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingColumnError);
    expect((error as MissingColumnError).columns).toEqual(['税票号码', '税种']);
    expect((error as Error).message).toMatch(/缺少必需的列 「税票号码」、「税种」.*未导入任何数据/);
  });
});

describe('USCC check character (GB 32100-2015)', () => {
  const alphabet = fc.constantFrom(...USCC_ALPHABET.split(''));
  const first17 = fc
    .array(alphabet, { minLength: 17, maxLength: 17 })
    .map((chars) => chars.join(''));
  const valid = first17.map((head) => head + usccCheckChar(head)!);

  it('accepts every code built with its check character', () => {
    fc.assert(
      fc.property(valid, (code) => isValidUscc(code) && classifyIdentifier(code).kind === 'uscc'),
      { numRuns: 2000 },
    );
  });

  it('rejects every code with one character changed', () => {
    fc.assert(
      fc.property(
        valid,
        fc.integer({ min: 0, max: 17 }),
        fc.integer({ min: 1, max: USCC_ALPHABET.length - 1 }),
        (code, position, shift) => {
          const replaced =
            USCC_ALPHABET[(USCC_ALPHABET.indexOf(code[position]) + shift) % USCC_ALPHABET.length];
          const changed = code.slice(0, position) + replaced + code.slice(position + 1);
          return (
            changed !== code &&
            !isValidUscc(changed) &&
            classifyIdentifier(changed).kind === 'invalid'
          );
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('knows a published code and a legacy tax number', () => {
    expect(isValidUscc('91370830168297305K')).toBe(true);
    expect(classifyIdentifier('370830168297305').kind).toBe('legacy');
    expect(classifyIdentifier('91370830MA3C4A1B2X').kind).toBe('invalid');
  });
});
