/**
 * The departments whose detail records a role may be granted (docs/interface.md, roles): each has
 * a role of its own (resolvers/roles.ts), and each source names the one that reads it
 * (SourceDefinition.readBy).
 */
export const DEPARTMENTS = ['tax', 'natural-resources', 'power', 'market'] as const;
export type Department = (typeof DEPARTMENTS)[number];
