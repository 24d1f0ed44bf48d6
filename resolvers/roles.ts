import { DEPARTMENTS, type Department } from '../lib/departments.js';

export { DEPARTMENTS, type Department };

export const ROLES = [
  'admin',
  'analyst',
  'tax',
  'natural-resources',
  'power',
  'market',
  'dashboard',
] as const;
export type Role = (typeof ROLES)[number];

/** What a role may read; the schema's auth scopes are derived from this one table. */
export interface Capabilities {
  /** the shared profile: register, town, industry, metrics summary, grade */
  profile: boolean;
  /** departments whose detail records are visible */
  departments: readonly Department[];
  /** 法定代表人 unmasked */
  personalData: boolean;
  /** county aggregates */
  aggregates: boolean;
  /** operator actions: linking records, reading the audit log */
  admin: boolean;
  /** aggregates over fewer firms than the minimum cell, unsuppressed (docs/security.md) */
  smallCells: boolean;
}

export const CAPABILITIES: Record<Role, Capabilities> = {
  admin: {
    profile: true,
    departments: DEPARTMENTS,
    personalData: true,
    aggregates: true,
    admin: true,
    smallCells: true,
  },
  analyst: {
    profile: true,
    departments: DEPARTMENTS,
    personalData: false,
    aggregates: true,
    admin: false,
    smallCells: true,
  },
  tax: {
    profile: true,
    departments: ['tax'],
    personalData: false,
    aggregates: true,
    admin: false,
    smallCells: false,
  },
  'natural-resources': {
    profile: true,
    departments: ['natural-resources'],
    personalData: false,
    aggregates: true,
    admin: false,
    smallCells: false,
  },
  power: {
    profile: true,
    departments: ['power'],
    personalData: false,
    aggregates: true,
    admin: false,
    smallCells: false,
  },
  market: {
    profile: true,
    departments: ['market'],
    personalData: true,
    aggregates: true,
    admin: false,
    smallCells: false,
  },
  dashboard: {
    profile: false,
    departments: [],
    personalData: false,
    aggregates: true,
    admin: false,
    smallCells: false,
  },
};

export const isRole = (value: string): value is Role =>
  (ROLES as readonly string[]).includes(value);

/** Who is asking: the API key's holder, or the anonymous demo caller. */
export interface Viewer {
  role: Role;
  /** API key id; null for an anonymous caller */
  keyId: string | null;
  /** the key's name (a department system or a person) */
  name: string;
  can: Capabilities;
}
