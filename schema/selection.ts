import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Whether the field `info` resolves selects `path` beneath it (`['months', 'provenance']`), through
 * fragments too. `@skip`/`@include` are not evaluated: a field they may leave out counts as selected,
 * so a loader keyed on the answer loads at most a few columns more, never fewer than it needs.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((node) => nodeSelectsPath(info, node, path));
}

/** selectsPath beneath one field node (one of `fieldsBeneath`, say). */
export function nodeSelectsPath(
  info: Pick<GraphQLResolveInfo, 'fragments'>,
  node: FieldNode,
  path: readonly string[],
): boolean {
  const within = (set: SelectionSetNode | undefined, depth: number): boolean =>
    !!set &&
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD)
        return (
          selection.name.value === path[depth] &&
          (depth === path.length - 1 || within(selection.selectionSet, depth + 1))
        );
      if (selection.kind === Kind.INLINE_FRAGMENT) return within(selection.selectionSet, depth);
      return within(info.fragments[selection.name.value]?.selectionSet, depth);
    });
  return within(node.selectionSet, 0);
}

/**
 * The nodes of the field `name` selected directly beneath the field `info` resolves (aliases and
 * fragments included; `@skip`/`@include` not evaluated, as in selectsPath).
 */
export function fieldsBeneath(info: GraphQLResolveInfo, name: string): FieldNode[] {
  const found: FieldNode[] = [];
  const walk = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name) found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else walk(info.fragments[selection.name.value]?.selectionSet);
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet);
  return found;
}
