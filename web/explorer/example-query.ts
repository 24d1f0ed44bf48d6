/**
 * The explorer's preloaded example: a full enterprise profile (企业画像). Runs on the server
 * (server/static.ts), which prunes it to the fields the running schema has, so the example is
 * always valid while the schema grows: a field, argument or variable the schema does not know is
 * dropped, and a selection left empty goes with its field.
 */
import {
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  getNamedType,
  isLeafType,
  Kind,
  parse,
  print,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/** The profile as the platform's contract describes it (docs/interface.md), with some detail. */
export const EXAMPLE_PROFILE_QUERY = /* GraphQL */ `
query EnterpriseProfile($uscc: String!, $year: Int!, $asOf: Date!) {
  enterprise(uscc: $uscc) {
    uscc
    name
    status
    town
    industryCode
    industryDivision
    establishedOn
    registeredCapitalYuan
    metrics(year: $year) {
      year
      landAreaMu
      taxPaidYuan
      revenueYuan
      electricityKwh
      muAverageTaxYuan
      muAverageRevenueYuan
      revenuePerTceYuan
      rdIntensity
      employees
      missing
    }
    muEfficiency(year: $year) {
      status
      runId
      evaluated
      population
      rank
      score
      grade
      reasons
    }
    muEfficiencyLive: muEfficiency(year: $year, live: true) {
      status
      rank
      score
      grade
    }
    allocation(year: $year) {
      grade
      consecutiveDYears
      surchargeYuanPerKwh
      accounts
    }
    awardEligibility(asOf: $asOf) {
      code
      clause
      eligible
      amountYuan
      eventDate
      reasons
    }
    landInUse {
      areaMu
      heldM2
      leasedOutM2
      leasedInM2
    }
    taxAnnual {
      year
      revenueYuan
      rdExpenseYuan
      employees
    }
    taxByMonth(year: $year) {
      month
      totalYuan
    }
    electricityByMonth(year: $year) {
      month
      kwh
    }
    designations {
      type
      recognizedOn
      issuer
    }
    techProjects {
      projectNo
      projectName
      acceptedOn
      totalYuan
    }
  }
}
`;

const HEADER = [
  '# 企业画像 — one enterprise: register, metrics (元, 亩, kWh), 亩产效益 grade and awards.',
  '# muEfficiency answers the published run (status final or notice, runId) when the year has one;',
  '# muEfficiencyLive (live: true) the data as loaded now. evaluationChanges(year) lists who moved.',
  '# Variables are below; put an API key in the Headers tab (API 密钥).',
  '# Press Ctrl-Enter to run. The Docs pane (book icon) lists every type and field.',
];

function usedVariables(document: DocumentNode): Set<string> {
  const used = new Set<string>();
  visit(document, {
    VariableDefinition: () => false,
    Variable: (node) => void used.add(node.name.value),
  });
  return used;
}

/** The document with every field, argument and variable the schema does not know removed. */
export function pruneToSchema(source: string, schema: GraphQLSchema): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const pruned = visit(
    parse(source),
    visitWithTypeInfo(typeInfo, {
      Argument: () => (typeInfo.getArgument() ? undefined : null),
      Field: {
        enter(node) {
          const def = typeInfo.getFieldDef();
          if (!def) return null;
          const given = new Set(node.arguments?.map((a) => a.name.value));
          if (
            def.args.some(
              (a) =>
                a.type.toString().endsWith('!') &&
                a.defaultValue === undefined &&
                !given.has(a.name),
            )
          )
            return null;
          // a field whose shape changed (leaf ↔ object) cannot keep this selection
          if (isLeafType(getNamedType(def.type)) !== !node.selectionSet) return null;
          return undefined;
        },
        leave: (node) =>
          node.selectionSet && node.selectionSet.selections.length === 0 ? null : undefined,
      },
    }),
  ) as DocumentNode;
  const used = usedVariables(pruned);
  return visit(pruned, {
    VariableDefinition: (node) => (used.has(node.variable.name.value) ? undefined : null),
    // an operation left without fields is not valid GraphQL
    OperationDefinition: (node) => (node.selectionSet.selections.length === 0 ? null : undefined),
  } as ASTVisitor) as DocumentNode;
}

/**
 * The example query for the explorer, valid against `schema`, and its variables (as JSON text):
 * `uscc` of an enterprise on record, the metrics `year` and the awards' `asOf` date.
 */
export function exampleQuery(
  schema: GraphQLSchema,
  values: { uscc: string; year: number; asOf: string },
): { query: string; variables: string } {
  let document = pruneToSchema(EXAMPLE_PROFILE_QUERY, schema);
  if (document.definitions.length === 0 || validate(schema, document).length > 0) {
    document = pruneToSchema(
      'query EnterpriseProfile($uscc: String!) { enterprise(uscc: $uscc) { uscc name } }',
      schema,
    );
  }
  const names = usedVariables(document);
  const variables = Object.fromEntries(Object.entries(values).filter(([name]) => names.has(name)));
  const body = document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION)
    ? print(document)
    : '{\n  __typename\n}';
  return {
    query: `${HEADER.join('\n')}\n${body}\n`,
    variables: JSON.stringify(variables, null, 2),
  };
}
