import { Kind, valueFromASTUntyped, type GraphQLResolveInfo } from 'graphql';

/**
 * The folders a `snapshot { files(path: ...) }` query asks for, read from the query before the
 * snapshot is resolved, so that a folder of a snapshot not indexed yet can be listed while the
 * snapshot itself is looked up (two restic runs side by side instead of one after the other).
 * Only direct `files` selections count (fragments are left to the usual path); a missing path
 * is the root.
 */
export function foldersAsked(info: GraphQLResolveInfo): (string | null)[] {
  const folders: (string | null)[] = [];
  for (const node of info.fieldNodes) {
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind !== Kind.FIELD || selection.name.value !== 'files') continue;
      const path = selection.arguments?.find((argument) => argument.name.value === 'path');
      const value = path ? valueFromASTUntyped(path.value, info.variableValues) : null;
      if (value === null || value === undefined || typeof value === 'string') {
        folders.push(value ?? null);
      }
    }
  }
  return folders;
}
