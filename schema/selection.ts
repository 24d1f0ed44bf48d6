import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Whether the field `info` resolves selects `path` beneath it (`['months', 'provenance']`), through
 * fragments too. `@skip`/`@include` are not evaluated: a field they may leave out counts as selected,
 * so a loader keyed on the answer loads at most a few columns more, never fewer than it needs.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
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
  return info.fieldNodes.some((node) => within(node.selectionSet, 0));
}
