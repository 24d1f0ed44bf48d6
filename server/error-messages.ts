/**
 * The GraphQL engine's and Apollo Server's own messages (a field that does not exist, a missing
 * argument, a value of the wrong type, a syntax error, a malformed request) in Chinese, for the
 * clerks who write queries in the explorer. Names from the query (fields, types, variables, values)
 * are quoted in 「」 as written; the English original stays in `extensions.originalMessage` for
 * developers. A message of the engine not in this table is given in Chinese words around the
 * original, quoted (docs/interface.md, errors).
 */

/** 「a」、「b」或「c」 from graphql-js's suggestion list ("a", "b", or "c"). */
function names(list: string): string {
  const found = [...list.matchAll(/"([^"]*)"/g)].map((m) => `「${m[1]}」`);
  return found.length <= 1 ? (found[0] ?? '') : `${found.slice(0, -1).join('、')}或${found.at(-1)}`;
}

/** "Did you mean …?" at the end of a message, as a Chinese question. */
function suggestion(rest: string | undefined): string {
  if (!rest) return '';
  const fragment = /to use an inline fragment on (.+)/.exec(rest);
  if (fragment) return `；是否要在 ${names(fragment[1])} 上用内联片段（... on）？`;
  return `；是否想用${names(rest)}？`;
}

const SCALARS: Record<string, string> = {
  Int: '整数',
  Float: '数字',
  String: '文本',
  Boolean: '布尔值（true 或 false）',
  ID: '标识',
};

const scalarName = (name: string) => `「${name}」${SCALARS[name] ? `（${SCALARS[name]}）` : ''}`;

type Rule = [RegExp, (...m: string[]) => string];

const DID_YOU_MEAN = String.raw`(?: Did you mean (.+)\?)?`;

/** graphql-js 16 and Apollo Server 5 messages, most specific first. */
const RULES: Rule[] = [
  [
    new RegExp(String.raw`^Cannot query field "(.+?)" on type "(.+?)"\.${DID_YOU_MEAN}$`, 's'),
    (f, t, s) => `类型「${t}」没有字段「${f}」${suggestion(s)}`,
  ],
  [
    new RegExp(String.raw`^Unknown argument "(.+?)" on field "(.+?)"\.${DID_YOU_MEAN}$`, 's'),
    (a, f, s) => `字段「${f}」没有参数「${a}」${suggestion(s)}`,
  ],
  [
    new RegExp(String.raw`^Unknown argument "(.+?)" on directive "(.+?)"\.${DID_YOU_MEAN}$`, 's'),
    (a, d, s) => `指令「${d}」没有参数「${a}」${suggestion(s)}`,
  ],
  [
    /^Field "(.+?)" argument "(.+?)" of type "(.+?)" is required, but it was not provided\.$/,
    (f, a, t) => `字段「${f}」缺少必填参数「${a}」（类型「${t}」）`,
  ],
  [
    /^Field "(.+?)" of type "(.+?)" must have a selection of subfields\..*$/s,
    (f, t) => `字段「${f}」（类型「${t}」）须列出要取的子字段，例如「${f} { … }」`,
  ],
  [
    /^Field "(.+?)" must not have a selection since type "(.+?)" has no subfields\.$/,
    (f, t) => `字段「${f}」（类型「${t}」）没有子字段，其后不能写 { }`,
  ],
  [
    new RegExp(String.raw`^Field "(.+?)" is not defined by type "(.+?)"\.${DID_YOU_MEAN}$`, 's'),
    (f, t, s) => `输入类型「${t}」没有字段「${f}」${suggestion(s)}`,
  ],
  [
    /^Field "(.+?)" of required type "(.+?)" was not provided\.$/,
    (f, t) => `缺少必填字段「${f}」（类型「${t}」）`,
  ],
  [
    new RegExp(String.raw`^Unknown type "(.+?)"\.${DID_YOU_MEAN}$`, 's'),
    (t, s) => `没有类型「${t}」${suggestion(s)}`,
  ],
  [
    /^Variable "\$(.+?)" of required type "(.+?)" was not provided\.$/,
    (v, t) => `必填变量「$${v}」（类型「${t}」）没有提供`,
  ],
  [
    /^Variable "\$(.+?)" of non-null type "(.+?)" must not be null\.$/,
    (v, t) => `变量「$${v}」（类型「${t}」）不能为空`,
  ],
  [
    /^Variable "\$(.+?)" got invalid value (.*?)(?:; (.*))?$/s,
    (v, value, why) =>
      `变量「$${v}」的值「${value}」无效${why ? `：${inChinese(why) ?? `「${why}」`}` : ''}`,
  ],
  [/^Variable "\$(.+?)" is never used.*\.$/, (v) => `变量「$${v}」声明了却没有用到`],
  [/^Variable "\$(.+?)" is not defined.*\.$/, (v) => `变量「$${v}」没有在操作中声明`],
  [
    /^Variable "\$(.+?)" of type "(.+?)" used in position expecting type "(.+?)"\.$/,
    (v, t, want) => `变量「$${v}」的类型「${t}」与此处要求的「${want}」不符`,
  ],
  [/^There can be only one variable named "\$(.+?)"\.$/, (v) => `变量「$${v}」声明了不止一次`],
  [
    /^(Int|Float|String|Boolean|ID) cannot represent .*?: (.*)$/s,
    (t, value) => `「${value}」不是有效的${scalarName(t)}`,
  ],
  [
    new RegExp(String.raw`^Value "(.+?)" does not exist in "(.+?)" enum\.${DID_YOU_MEAN}$`, 's'),
    (v, e, s) => `「${v}」不是枚举「${e}」的取值${suggestion(s)}`,
  ],
  [
    new RegExp(
      String.raw`^Enum "(.+?)" cannot represent non-enum value: (.*?)\.${DID_YOU_MEAN}$`,
      's',
    ),
    (e, v, s) => `枚举「${e}」不接受「${v}」（取值不加引号）${suggestion(s)}`,
  ],
  [
    /^Expected value of type "(.+?)", found (.*?)(?:; (.*))?\.?$/s,
    (t, found, why) =>
      `此处需要${scalarName(t)}类型的值，收到「${found}」${why ? `：${inChinese(why) ?? `「${why}」`}` : ''}`,
  ],
  [/^Unknown fragment "(.+?)"\.$/, (f) => `没有片段「${f}」`],
  [/^Fragment "(.+?)" is never used\.$/, (f) => `片段「${f}」定义了却没有用到`],
  [/^Unknown directive "(.+?)"\.$/, (d) => `没有指令「${d}」`],
  [
    /^Syntax Error: Query depth limit of (\d+) exceeded, found (\d+)\.$/,
    (n, found) => `查询嵌套过深：最多 ${n} 层，此查询 ${found} 层；请分几次查询`,
  ],
  [
    /^Syntax Error: Aliases limit of (\d+) exceeded, found (\d+)\.$/,
    (n, found) => `别名过多：最多 ${n} 个，此查询 ${found} 个`,
  ],
  [
    /^Syntax Error: Directives limit of (\d+) exceeded, found (\d+)\.$/,
    (n, found) => `指令过多：最多 ${n} 个，此查询 ${found} 个`,
  ],
  [
    /^Syntax Error: Document contains more th[ae][nt] (\d+) tokens\..*$/s,
    (n) => `查询过长：最多 ${n} 个记号；请分几次查询`,
  ],
  [
    /^Syntax Error: Expected (.+?), found (.+?)\.$/,
    (want, found) => `查询语法错误：此处应为「${want}」，实际是「${found}」`,
  ],
  [/^Syntax Error: Unexpected (.+?)\.$/, (found) => `查询语法错误：不应出现「${found}」`],
  [/^Syntax Error: Unterminated string\.$/, () => '查询语法错误：字符串缺少结尾的引号'],
  [/^Syntax Error: (.*)$/s, (why) => `查询语法错误：「${why}」`],
  [
    /^Must provide operation name if query contains multiple operations\.$/,
    () => '查询含多个操作时须用「operationName」指明执行哪一个',
  ],
  [/^Unknown operation named "(.+?)"\.$/, (o) => `查询中没有名为「${o}」的操作`],
  [
    /^This anonymous operation must be the only defined operation\.$/,
    () => '未命名的操作只能单独出现：有多个操作时须各自命名',
  ],
  [
    /^Operation batching disabled\.$/,
    () => '不接受批量请求：请求体须为一个 JSON 对象（一次一个查询），而不是数组',
  ],
  [
    /^POST body missing, invalid Content-Type, or JSON object has no keys\.$/,
    () => '请求体为空或格式不对：请以「Content-Type: application/json」发送「{ "query": "…" }」',
  ],
  [
    /^GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension\.$/,
    () => '请求须含非空的「query」（查询文本）',
  ],
  [/^GraphQL queries must be strings\..*$/s, () => '「query」须为字符串（查询文本）'],
  [/^`variables` in a POST body .*$/s, () => '「variables」须为 JSON 对象（不要再编码成字符串）'],
  [
    /^This operation has been blocked as a potential Cross-Site Request Forgery.*$/s,
    () =>
      '请求被跨站请求伪造防护拦截：请带上「Content-Type: application/json」请求头（或「Apollo-Require-Preflight: true」）',
  ],
  [
    /^GET requests only support query operations, not (\w+) operations$/,
    (kind) => `GET 请求只能查询；「${kind}」操作须用 POST`,
  ],
  [/^Apollo Server supports only GET\/POST requests\.$/, () => '只接受 GET 或 POST 请求'],
  [/^No operations found in request\.$/, () => '请求中没有查询'],
];

/** The Chinese of an engine's message, or null when the table has none for it. */
export function inChinese(message: string): string | null {
  for (const [pattern, write] of RULES) {
    const m = pattern.exec(message);
    if (m) return write(...m.slice(1));
  }
  return null;
}

/** True when a message has no Chinese in it: one of the engine's, not the platform's own. */
export const isEngineMessage = (message: string): boolean => !/[\u4e00-\u9fff]/.test(message);

/** A message of the engine a clerk reads: its Chinese, else the original quoted in Chinese words. */
export const clerkMessage = (message: string): string =>
  inChinese(message) ?? `请求有误，查询引擎的说明：「${message}」`;
