import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import {
  type ArgumentNode,
  type DefinitionNode,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isListType,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  type ValidationRule,
  valueFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Config } from '../lib/config.js';
import type { Context } from '../resolvers/context.js';
import { COUNTY_WIDE, MAX_PAGE_SIZE } from '../schema/cost.js';

/** A request refused before GraphQL runs (rate limit, timeout): answered with `status` and a clear message. */
export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const refusal = (message: string, code: string, status = 400) =>
  new GraphQLError(message, { extensions: { code, http: { status } } });

/**
 * The message for a `first`/`last` above MAX_PAGE_SIZE, or a list argument (`nodes(ids:)`) of more
 * than MAX_PAGE_SIZE items, or null when the argument is fine.
 */
function pageSizeProblem(
  typeInfo: Pick<TypeInfo, 'getArgument' | 'getParentType' | 'getFieldDef'>,
  node: ArgumentNode,
  variables?: Record<string, unknown>,
): string | null {
  const arg = typeInfo.getArgument();
  if (arg && isListType(getNullableType(arg.type))) {
    const value =
      node.value.kind === Kind.LIST
        ? node.value.values
        : valueFromAST(node.value, arg.type, variables);
    if (!Array.isArray(value) || value.length <= MAX_PAGE_SIZE) return null;
    return `${typeInfo.getParentType()?.name}.${typeInfo.getFieldDef()?.name}：\`${node.name.value}\` 最多 ${MAX_PAGE_SIZE} 项（收到 ${value.length}）；请分几次查询。`;
  }
  if (node.name.value !== 'first' && node.name.value !== 'last') return null;
  if (!arg || getNamedType(arg.type).name !== 'Int') return null;
  const value = valueFromAST(node.value, arg.type, variables);
  if (typeof value !== 'number' || value <= MAX_PAGE_SIZE) return null;
  const field = typeInfo.getFieldDef();
  // only a field that pages can be told to page
  const advice = field?.args.some((a) => a.name === 'after')
    ? '请用 `after` 翻页'
    : '该字段不分页：请用筛选条件（如乡镇、行业）缩小范围';
  return `${typeInfo.getParentType()?.name}.${field?.name}：\`${node.name.value}\` 最大为 ${MAX_PAGE_SIZE}（收到 ${value}）；${advice}。`;
}

/** Text PostgreSQL cannot store or compare (a NUL character), refused as the caller's mistake. */
const NUL = '\u0000';
const nulMessage = '文本参数不能含空字符（「NUL」，\\u0000）。';

/** Whether a variable's value holds a NUL anywhere (strings in lists and input objects included). */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes(NUL);
  if (depth > 20 || value === null || typeof value !== 'object') return false;
  return Object.values(value).some((v) => holdsNul(v, depth + 1));
}

/** NUL in a literal string, at validation. */
const nulRule: ValidationRule = (context) => ({
  StringValue(node) {
    if (node.value.includes(NUL))
      context.reportError(new GraphQLError(nulMessage, { nodes: node }));
  },
});

/** Literal page sizes, at validation (before the cost rule, which multiplies by them, has its say). */
const pageSizeRule: ValidationRule = (context) => ({
  Argument(node) {
    if (node.value.kind === Kind.VARIABLE) return;
    const problem = pageSizeProblem(context, node);
    if (problem) context.reportError(new GraphQLError(problem, { nodes: node }));
  },
});

/** An argument given by a variable, with where it stands in the schema (pageSizeProblem reads it). */
interface VariableArgument {
  node: ArgumentNode;
  position: Pick<TypeInfo, 'getArgument' | 'getParentType' | 'getFieldDef'>;
}

/**
 * Per parsed document (Apollo reuses the cached one for the same text): its arguments that are
 * page sizes (`first`/`last`) or lists (`nodes(ids:)`) given by a variable. Found once per
 * document, so that a request costs a look at those variables only.
 */
const pageSizeVariables = new WeakMap<DocumentNode, VariableArgument[]>();

function variablePageSizes(schema: GraphQLSchema, document: DocumentNode): VariableArgument[] {
  let found = pageSizeVariables.get(document);
  if (found === undefined) {
    const arguments_: VariableArgument[] = [];
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Argument(node) {
          if (node.value.kind !== Kind.VARIABLE) return;
          const arg = typeInfo.getArgument();
          const parentType = typeInfo.getParentType();
          const fieldDef = typeInfo.getFieldDef();
          if (!arg) return;
          const pageSize =
            (node.name.value === 'first' || node.name.value === 'last') &&
            getNamedType(arg.type).name === 'Int';
          if (!pageSize && !isListType(getNullableType(arg.type))) return;
          arguments_.push({
            node,
            position: {
              getArgument: () => arg,
              getParentType: () => parentType,
              getFieldDef: () => fieldDef,
            },
          });
        },
      }),
    );
    found = arguments_;
    pageSizeVariables.set(document, found);
  }
  return found;
}

/** Page sizes given as variables, once their values are known (literals were checked at validation). */
function checkPageSizes(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
) {
  for (const { node, position } of variablePageSizes(schema, document)) {
    const problem = pageSizeProblem(position, node, variables);
    if (problem) throw refusal(problem, 'PAGE_TOO_LARGE');
  }
}

/**
 * Per parsed document: the variables its cost can depend on — page sizes and lists given by a
 * variable (schema/cost.ts multiplies by them) and the variables of `@skip`/`@include`.
 */
const costVariables = new WeakMap<DocumentNode, string[]>();

function costVariableNames(schema: GraphQLSchema, document: DocumentNode): string[] {
  let names = costVariables.get(document);
  if (names === undefined) {
    const found = new Set<string>();
    for (const { node } of variablePageSizes(schema, document))
      if (node.value.kind === Kind.VARIABLE) found.add(node.value.name.value);
    visit(document, {
      Directive(directive) {
        for (const argument of directive.arguments ?? [])
          if (argument.value.kind === Kind.VARIABLE) found.add(argument.value.name.value);
      },
    });
    names = [...found];
    costVariables.set(document, names);
  }
  return names;
}

/** Per operation of a parsed document: its cost by the values of its cost variables (at most 100 kept). */
const costs = new WeakMap<OperationDefinitionNode, Map<string, number>>();

/**
 * The estimated cost of the operation that runs (schema/cost.ts), with the request's variables:
 * null when its variables do not fit it (execution then reports them). Computed once per
 * document, operation and values of the variables it depends on (a department system asks the
 * same document for one enterprise after another).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  context: Context,
): number | null {
  const key = JSON.stringify(
    costVariableNames(schema, document).map((n) => variables?.[n] ?? null),
  );
  let known = costs.get(operation);
  if (!known) costs.set(operation, (known = new Map()));
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const definitions: DefinitionNode[] = [
    operation,
    ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION),
  ];
  try {
    const cost = complexityFromQuery(
      { kind: Kind.DOCUMENT, definitions },
      { schema, ctx: context, variables: variables ?? {} },
    ).complexity;
    if (known.size >= 100) known.clear();
    known.set(key, cost);
    return cost;
  } catch {
    return null;
  }
}

function selectsIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}

/**
 * The GraphQL side of the abuse limits (lib/config.ts has the numbers): graphql-armor's depth,
 * alias and directive rules; the tokens limit in the parser; the page-size cap; the cost limit
 * (schema/cost.ts, with the request's variables); and, in
 * production, no introspection and no "Did you mean" suggestions for anonymous callers. The HTTP side
 * (body size, batching off, rate limit, timeout) is in server/app.ts.
 */
export function queryLimits(
  config: Config,
  options: {
    /** Called before an expensive operation (cost ≥ EDP_EXPENSIVE_COST) runs: waits for its slot or throws. */
    admit?: (cost: number, context: Context) => Promise<void>;
  } = {},
) {
  const armor = new ApolloArmor({
    blockFieldSuggestion: { enabled: false },
    maxTokens: { enabled: false },
    // the cost limit is ours (operationCost): it knows county-wide fields and list arguments
    costLimit: { enabled: false },
    maxAliases: { n: config.maxAliases, allowList: [] },
    maxDepth: { n: config.maxDepth },
    maxDirectives: { n: config.maxDirectives },
  }).protect();

  const plugin: ApolloServerPlugin<Context> = {
    async requestDidStart({ contextValue }) {
      const hideSchema = config.production && contextValue.viewer.keyId === null;
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (hideSchema && selectsIntrospection(document)) {
            throw refusal(
              '生产环境中须持 API 密钥才能读取接口结构（「introspection」）。',
              'INTROSPECTION_DISABLED',
              403,
            );
          }
          checkPageSizes(schema, document, request.variables);
          if (holdsNul(request.variables)) throw refusal(nulMessage, 'BAD_USER_INPUT');
          const cost = operation
            ? operationCost(schema, document, operation, request.variables, contextValue)
            : null;
          if (cost !== null && cost > config.maxCost)
            throw refusal(
              `查询估算成本 ${cost} 超过上限 ${config.maxCost}：全县范围的字段（全县汇总、排名、名单等）每个计 ${COUNTY_WIDE}，列表按 first 或 ids 的个数计；请把查询拆成几次，或减少别名与每页条数 (query cost ${cost} exceeds the limit of ${config.maxCost})。`,
              'COST_LIMIT_EXCEEDED',
            );
          if (cost !== null && cost >= config.expensiveCost)
            await options.admit?.(cost, contextValue);
        },
        async didEncounterErrors({ errors }) {
          if (!hideSchema) return;
          for (const error of errors)
            error.message = error.message.replace(/\s*Did you mean .*$/s, '');
        },
      };
    },
  };

  return {
    validationRules: [pageSizeRule, nulRule, ...armor.validationRules],
    parseOptions: { maxTokens: config.maxTokens },
    plugins: [plugin],
  };
}
