/**
 * Invented names: people (法定代表人) and companies (`汶上县<两字号><行业词>有限公司`). Trade
 * names are drawn from auspicious characters; the pairs that belong to real firms named in the
 * county policy (金成, 李尔, 华力, 如意, 鸿瑞) and a few national brands are never produced.
 */
import { normaliseName } from '../lib/names.js';
import type { Rng } from './random.js';

const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['王', 9],
  ['李', 8],
  ['张', 8],
  ['刘', 7],
  ['陈', 5],
  ['杨', 4],
  ['赵', 4],
  ['孙', 4],
  ['周', 3],
  ['吴', 3],
  ['徐', 3],
  ['马', 3],
  ['朱', 2],
  ['胡', 2],
  ['郭', 3],
  ['何', 2],
  ['高', 3],
  ['林', 1],
  ['罗', 1],
  ['郑', 2],
  ['梁', 2],
  ['谢', 1],
  ['宋', 2],
  ['唐', 1],
  ['许', 2],
  ['韩', 2],
  ['冯', 2],
  ['邓', 1],
  ['曹', 2],
  ['彭', 1],
  ['曾', 1],
  ['田', 2],
  ['董', 2],
  ['袁', 1],
  ['潘', 1],
  ['于', 2],
  ['蒋', 1],
  ['蔡', 1],
  ['魏', 2],
  ['薛', 1],
  ['姜', 2],
  ['孔', 2],
  ['颜', 1],
  ['邵', 1],
  ['崔', 1],
  ['常', 1],
  ['侯', 1],
  ['秦', 1],
  ['尹', 1],
  ['贾', 1],
];
const GIVEN =
  '伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽';

/** An invented person's name: a common surname and one or two given characters. */
export function personName(rng: Rng): string {
  const surname = rng.weighted(SURNAMES);
  const given = rng.chance(0.75) ? rng.pick(GIVEN) + rng.pick(GIVEN) : rng.pick(GIVEN);
  return surname + given;
}

const TRADE_FIRST =
  '鑫恒泰宏盛昌隆兴达丰源祥嘉润通博远诚信德永天宇辉明卓凯新东方正大中银富康安汇佳亿鼎峰岳翔腾飞洪圣汶泉鲁齐瀚锦晟华益金利';
const TRADE_SECOND =
  '鑫恒泰宏盛昌隆兴达丰源祥嘉润通博远诚信德永宇辉明卓凯新方正基业力成瑞旺發晟锐创科坤宸航畅顺和发丞凯越晖';

/** Trade names of real firms (or famous brands) that an invented name must not use. */
const FORBIDDEN_TRADE_NAMES = new Set([
  '金成',
  '李尔',
  '华力',
  '如意',
  '鸿瑞',
  '华为',
  '海尔',
  '联想',
  '格力',
  '美的',
  '中化',
  '恒大',
  '万达',
  '华润',
  '中兴',
  '大成',
  '泰和',
  '正大',
  '东方',
  '新华',
]);

/** A two-character trade name (字号); three characters when `long`. */
export function tradeName(rng: Rng, long = false): string {
  for (;;) {
    const a = rng.pick(TRADE_FIRST);
    const b = rng.pick(TRADE_SECOND);
    if (a === b || FORBIDDEN_TRADE_NAMES.has(a + b)) continue;
    if (!long) return a + b;
    const c = rng.pick(TRADE_SECOND);
    if (c === b || FORBIDDEN_TRADE_NAMES.has(b + c)) continue;
    return a + b + c;
  }
}

/**
 * Keeps invented names unique after normalisation (brackets and widths folded), so that a
 * name links to one enterprise unless the generator deliberately shares it.
 */
export class NameRegistry {
  private readonly taken = new Set<string>();

  has(name: string): boolean {
    return this.taken.has(normaliseName(name));
  }

  add(name: string): void {
    this.taken.add(normaliseName(name));
  }

  /** Draws from `make` until the name is new, and registers it. */
  claim(make: (attempt: number) => string): string {
    for (let attempt = 0; ; attempt++) {
      const name = make(attempt);
      if (!this.has(name)) {
        this.add(name);
        return name;
      }
    }
  }
}

/** Swaps full-width brackets for half-width ones and back: `（集团）` ⇄ `(集团)`. */
export function otherBrackets(name: string): string {
  return name.replace(/[（(）)]/g, (c) => ({ '（': '(', '(': '（', '）': ')', ')': '）' })[c]!);
}
