/**
 * The dashboard's access to the platform's GraphQL API (the same service, /graphql). A `dashboard`
 * API key, when one was entered, is kept in this browser's localStorage and sent as a bearer
 * token; without one the embedded demo serves the page anonymously.
 */

const KEY_STORAGE = 'edp.dashboard.apiKey';

export const storedKey = (): string | null => window.localStorage.getItem(KEY_STORAGE);

export function storeKey(key: string | null) {
  if (key) window.localStorage.setItem(KEY_STORAGE, key);
  else window.localStorage.removeItem(KEY_STORAGE);
}

/** A failed request; `code` is the GraphQL error code (UNAUTHENTICATED, FORBIDDEN, …) when there is one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs one GraphQL operation; any error in the answer is thrown (panels show it in place). */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const key = storedKey();
  // 'graphql' relative to /dashboard: the same service, also behind a path prefix
  const response = await fetch(new URL('graphql', document.baseURI), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    credentials: 'same-origin',
  });
  let body: GraphQLResponse<T>;
  try {
    body = (await response.json()) as GraphQLResponse<T>;
  } catch {
    throw new ApiError(`服务返回 HTTP ${response.status}`, null);
  }
  const error = body.errors?.[0];
  if (error)
    throw new ApiError(
      error.message,
      error.extensions?.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : null),
    );
  if (!response.ok || !body.data) throw new ApiError(`服务返回 HTTP ${response.status}`, null);
  return body.data;
}
