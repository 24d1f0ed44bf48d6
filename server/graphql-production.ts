/**
 * Preloaded by `npm start` and the service's benchmarks (`node --import tsx --import
 * ./server/graphql-production.ts …`): loads graphql-js in its production mode. graphql-js decides
 * the mode once, from NODE_ENV, when it is first loaded; in development mode each of its type tests
 * that answers "no" (thousands per request) also looks for a copy of graphql from another module.
 * NODE_ENV itself is put back as it was, so that it keeps its own meaning for the service
 * (`production` hides introspection from anonymous callers, lib/config.ts). Tests load graphql-js
 * without this, in development mode, and keep its checks.
 */
const previous = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
try {
  await import('graphql');
} finally {
  if (previous === undefined) delete process.env.NODE_ENV;
  else process.env.NODE_ENV = previous;
}

export {};
