import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from 'graphql';
import type { Capabilities } from '../../resolvers/roles.js';
import { pothosAuthScopes } from '../../server/audit-plugin.js';

/**
 * The authorization rules as the schema itself states them (Pothos keeps each type's and field's
 * options in `extensions.pothosOptions`), evaluated against the role table: the matrix tests are
 * generated from these, so a field added later is tested, and one added without a rule fails.
 */

/** Types readable by anyone who reached them, listed by hand. */
export const PUBLIC_TYPES = new Set(['PageInfo']);

type AnyField = GraphQLField<unknown, unknown>;

/** The scope maps that guard `type.field`: the type's (unless the field skips them) and the field's own. */
export function rulesOf(type: GraphQLObjectType, field: AnyField): unknown[] {
  const rules: unknown[] = [];
  const fieldOptions = (field.extensions as { pothosOptions?: { skipTypeScopes?: boolean } })
    .pothosOptions;
  const typeScopes = pothosAuthScopes(type.extensions);
  if (typeScopes !== undefined && !fieldOptions?.skipTypeScopes) rules.push(typeScopes);
  const fieldScopes = pothosAuthScopes(field.extensions);
  if (fieldScopes !== undefined) rules.push(fieldScopes);
  return rules;
}

/** Whether a scope map (any of its entries; $all needs every one) lets a role with `can` through. */
export function passes(scopes: unknown, can: Capabilities): boolean {
  if (typeof scopes === 'boolean') return scopes;
  if (typeof scopes === 'function')
    throw new Error(
      'a scope function depends on the request: give it a case in the matrix by hand',
    );
  return Object.entries(scopes as Record<string, unknown>).some(([name, value]) => {
    switch (name) {
      case 'profile':
      case 'personalData':
      case 'aggregates':
      case 'admin':
        return value === true && can[name];
      case 'department':
        return (can.departments as readonly unknown[]).includes(value);
      case '$any':
        return passes(value, can);
      case '$all':
        return Object.entries(value as Record<string, unknown>).every(([n, v]) =>
          passes({ [n]: v }, can),
        );
      default:
        throw new Error(`unknown scope "${name}"`);
    }
  });
}

export const allowedFor = (type: GraphQLObjectType, field: AnyField, can: Capabilities) =>
  rulesOf(type, field).every((rule) => passes(rule, can));

const rootTypes = (schema: GraphQLSchema) =>
  [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (t): t is GraphQLObjectType => !!t,
  );

export function objectTypes(schema: GraphQLSchema): GraphQLObjectType[] {
  return Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'),
  );
}

/**
 * Fields without a rule of their own or of their type. Such a field passes only on a type listed in
 * PUBLIC_TYPES or on a type every way into which is guarded (connections, edges, provenance):
 * reaching one of those already took a rule. A field of Query or Mutation always needs one.
 */
export function unguardedFields(schema: GraphQLSchema): string[] {
  const roots = new Set(rootTypes(schema).map((t) => t.name));
  const returners = new Map<string, [GraphQLObjectType, AnyField][]>();
  const into = (name: string, entry: [GraphQLObjectType, AnyField]) =>
    returners.set(name, [...(returners.get(name) ?? []), entry]);
  for (const type of objectTypes(schema)) {
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isObjectType(named)) into(named.name, [type, field]);
      else if (isInterfaceType(named))
        for (const impl of schema.getPossibleTypes(named)) into(impl.name, [type, field]);
      else if (isUnionType(named))
        for (const member of named.getTypes()) into(member.name, [type, field]);
    }
  }
  const guarded = (name: string, seen: Set<string>): boolean => {
    if (PUBLIC_TYPES.has(name) || seen.has(name)) return true;
    const ways = returners.get(name) ?? [];
    if (roots.has(name) || ways.length === 0) return false;
    const next = new Set([...seen, name]);
    return ways.every(
      ([parent, field]) =>
        rulesOf(parent, field).length > 0 ||
        (!roots.has(parent.name) && guarded(parent.name, next)),
    );
  };
  const missing: string[] = [];
  for (const type of objectTypes(schema)) {
    const typeGuarded = guarded(type.name, new Set());
    for (const field of Object.values(type.getFields())) {
      if (rulesOf(type, field).length === 0 && !typeGuarded)
        missing.push(`${type.name}.${field.name}`);
    }
  }
  return missing;
}

/** One step of a selection path: `field` of `type`. */
export interface Step {
  type: GraphQLObjectType;
  field: AnyField;
}

/**
 * The shortest selection path from Query to an object of each type (through object-typed fields;
 * `preferred` root fields are tried first, so Enterprise is reached as `enterprise(uscc:)`).
 */
export function pathsFromQuery(schema: GraphQLSchema, preferred: string[]): Map<string, Step[]> {
  const query = schema.getQueryType()!;
  const paths = new Map<string, Step[]>([[query.name, []]]);
  const queue: GraphQLObjectType[] = [query];
  while (queue.length) {
    const type = queue.shift()!;
    const fields = Object.values(type.getFields()).sort(
      (a, b) => Number(preferred.includes(b.name)) - Number(preferred.includes(a.name)),
    );
    for (const field of fields) {
      const named = getNamedType(field.type);
      if (!isObjectType(named) || paths.has(named.name)) continue;
      paths.set(named.name, [...paths.get(type.name)!, { type, field }]);
      queue.push(named);
    }
  }
  return paths;
}

/** Literal values for required arguments: `sample(argName, namedTypeName)` answers the scalars. */
export function argumentsText(
  field: AnyField,
  sample: (name: string, type: string) => string,
): string {
  const literal = (name: string, type: GraphQLInputType): string => {
    const t = isNonNullType(type) ? type.ofType : type;
    if (isListType(t)) return `[${literal(name, t.ofType)}]`;
    if (isEnumType(t)) return t.getValues()[0].name;
    if (isInputObjectType(t)) {
      const required = Object.values(t.getFields()).filter(
        (f) => isNonNullType(f.type) && f.defaultValue === undefined,
      );
      return `{ ${required.map((f) => `${f.name}: ${literal(f.name, f.type)}`).join(', ')} }`;
    }
    return sample(name, t.name);
  };
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  return required.length
    ? `(${required.map((a) => `${a.name}: ${literal(a.name, a.type)}`).join(', ')})`
    : '';
}

/** The selection text of `steps` ending in `last`, e.g. `enterprise(uscc: "…") { taxAnnual { year } }`. */
export function selectionText(
  steps: Step[],
  sample: (name: string, type: string) => string,
): string {
  const [last, ...outer] = [...steps].reverse();
  let text = `${last.field.name}${argumentsText(last.field, sample)}${isLeafType(getNamedType(last.field.type)) ? '' : ' { __typename }'}`;
  for (const step of outer)
    text = `${step.field.name}${argumentsText(step.field, sample)} { ${text} }`;
  return text;
}

/** A field a role is refused, and the shortest way to its parent through fields the role may read. */
export interface Refusal {
  /** the steps from Query (or Mutation) to the parent type; empty for a root field */
  steps: Step[];
  type: GraphQLObjectType;
  field: AnyField;
}

/**
 * Every field a role with `can` may reach (each step before it allowed) but is refused, with the
 * shortest way there (`preferred` root fields first). These are the fields whose refusal must null
 * only themselves.
 */
export function refusalsFor(
  schema: GraphQLSchema,
  can: Capabilities,
  preferred: string[],
): Refusal[] {
  const refusals: Refusal[] = [];
  const paths = new Map<string, Step[]>();
  const queue: GraphQLObjectType[] = [];
  for (const root of rootTypes(schema)) {
    paths.set(root.name, []);
    queue.push(root);
  }
  while (queue.length) {
    const type = queue.shift()!;
    const fields = Object.values(type.getFields()).sort(
      (a, b) => Number(preferred.includes(b.name)) - Number(preferred.includes(a.name)),
    );
    for (const field of fields) {
      if (!allowedFor(type, field, can)) {
        refusals.push({ steps: paths.get(type.name)!, type, field });
        continue;
      }
      const named = getNamedType(field.type);
      const next = isObjectType(named)
        ? [named]
        : isInterfaceType(named) || isUnionType(named)
          ? [...schema.getPossibleTypes(named)]
          : [];
      // a mutation's result is reached by running it: not a way to read other fields
      if (type === schema.getMutationType()) continue;
      for (const n of next)
        if (!paths.has(n.name)) {
          paths.set(n.name, [...paths.get(type.name)!, { type, field }]);
          queue.push(n);
        }
    }
  }
  return refusals;
}

/** The selection of `field` itself: its name, sample arguments, `{ __typename }` unless a leaf. */
export function fieldText(field: AnyField, sample: (name: string, type: string) => string) {
  return `${field.name}${argumentsText(field, sample)}${isLeafType(getNamedType(field.type)) ? '' : ' { __typename }'}`;
}

/** A leaf field of `type` the role may read and that needs no argument: the sibling that must survive. */
export function permittedLeaf(
  type: GraphQLObjectType,
  can: Capabilities,
  except: string,
): AnyField | undefined {
  return Object.values(type.getFields()).find(
    (f) =>
      f.name !== except &&
      isLeafType(getNamedType(f.type)) &&
      f.args.every((a) => !isNonNullType(a.type)) &&
      allowedFor(type, f, can),
  );
}
