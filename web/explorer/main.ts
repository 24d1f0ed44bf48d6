/**
 * The analyst explorer: GraphiQL, bundled with its Monaco editor workers, served by the service
 * itself so that it works on the county network without internet access. The page's
 * `#explorer[data-config]` (written by server/static.ts) says where the workers are and which
 * example query to preload.
 */
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { type ComponentProps, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import './explorer.css';

/** What the server hands the page (server/static.ts, `ExplorerConfig`). */
interface ExplorerConfig {
  /** Monaco worker scripts by label (editor, json, graphql), relative to the page */
  workers: Record<'editor' | 'json' | 'graphql', string>;
  /** the example enterprise-profile query and its variables (JSON) */
  query: string;
  variables: string;
  /** the headers editor's template (JSONC, with the Authorization line commented out) */
  headers: string;
}

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

const root = document.getElementById('explorer')!;
const config = JSON.parse(root.dataset.config ?? '{}') as ExplorerConfig;

// Monaco starts its language workers from these same-origin files (no blob: URLs, no CDN).
(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    const url =
      label === 'json' || label === 'graphql' ? config.workers[label] : config.workers.editor;
    return new Worker(new URL(url, document.baseURI));
  },
};

/** POSTs to the address the explorer was served from (/graphql, or /): the same origin only. */
const fetcher: Fetcher = async (params, options) => {
  const response = await fetch(window.location.pathname, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...options?.headers,
    },
    body: JSON.stringify(params),
    credentials: 'same-origin',
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
};

// GraphiQL takes the first tab's variables from `initialVariables` only, and that prop wins over
// what it stored: pass the example's variables on a first visit alone, so a returning analyst's
// own query keeps its own variables.
const firstVisit = window.localStorage.getItem('graphiql:query') === null;

createRoot(root).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery: config.query,
    defaultTabs: [{ query: config.query, variables: config.variables, headers: config.headers }],
    defaultHeaders: config.headers,
    ...(firstVisit ? { initialVariables: config.variables } : {}),
    defaultEditorToolsVisibility: 'variables',
    shouldPersistHeaders: false,
    forcedTheme: 'light',
  }),
);
