import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { desc, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { landLeases, landParcels } from '../db/land.js';
import { enterprises } from '../db/market.js';
import { taxAnnual } from '../db/tax.js';
import type { Logger } from '../lib/logger.js';
import { schema } from '../schema/index.js';
import { exampleQuery } from '../web/explorer/example-query.js';
import type { Route } from './app.js';
import {
  type PageName,
  readManifest,
  sourceFingerprint,
  WEB_DIST,
  type WebManifest,
} from './web-bundle.js';

/**
 * The browser pages, served by the service itself (the county network has no internet access):
 * the GraphiQL explorer at the GraphQL address (GET /graphql or / asking for text/html), the
 * dashboard at /dashboard, and their bundled assets under /assets/ (web/dist, built by scripts/build-web.ts).
 *
 * - Assets have content-hashed names: cached for a year as immutable; sent brotli- or
 *   gzip-compressed (pre-compressed at build time) when the browser accepts it.
 * - Pages are `no-cache` (revalidated by ETag) and carry a Content-Security-Policy that lets the
 *   page talk to this service only: no other host, no inline or eval'd scripts.
 */

const SELF_ONLY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/**
 * The pages' Content-Security-Policy: this service only. The exceptions name no other host:
 * Monaco (the explorer's editor) writes its theme into <style> elements it creates at run time,
 * without nonce support, and draws error squiggles as data: SVG images it generates;
 * ECharts' tooltips and SVG text carry style attributes (no <style> elements).
 */
export const CONTENT_SECURITY_POLICY: Record<PageName, string> = {
  explorer: [...SELF_ONLY, "img-src 'self' data:", "style-src 'self' 'unsafe-inline'"].join('; '),
  dashboard: [
    ...SELF_ONLY,
    "img-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
  ].join('; '),
};

const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The encodings a request accepts (Accept-Encoding, q > 0), brotli preferred. */
export function acceptedEncoding(
  header: string | undefined,
  available: readonly ('br' | 'gzip')[],
): 'br' | 'gzip' | null {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (token && (!q || Number(q.slice(2)) > 0)) accepted.add(token === 'x-gzip' ? 'gzip' : token);
  }
  for (const encoding of ['br', 'gzip'] as const)
    if (available.includes(encoding) && accepted.has(encoding)) return encoding;
  return null;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page's HTML: its style sheets and module script from the manifest, no inline script. */
function pageHtml(manifest: WebManifest, page: PageName, title: string, body: string): string {
  const { script, styles } = manifest.pages[page];
  return [
    '<!doctype html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    ...styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`),
    `<script type="module" src="${escapeHtml(script)}"></script>`,
    '</head>',
    `<body>${body}<noscript>此页面需要启用 JavaScript。This page needs JavaScript.</noscript></body>`,
    '</html>',
  ].join('\n');
}

/**
 * The values of the explorer's example: the enterprise with the largest 营业收入 in the latest
 * year on record, preferring one that holds land it has not leased out (so that its 亩均 figures
 * show), else the first registered one; that year, and today as the awards' asOf date.
 */
export async function exampleValues(
  database: Database,
): Promise<{ uscc: string; year: number; asOf: string }> {
  const today = new Date().toISOString().slice(0, 10);
  const [annual] = await database.db
    .select({ uscc: taxAnnual.uscc, year: taxAnnual.year })
    .from(taxAnnual)
    .where(isNotNull(taxAnnual.uscc))
    .orderBy(
      desc(taxAnnual.year),
      desc(
        sql`exists (select 1 from ${landParcels} where ${landParcels.uscc} = ${taxAnnual.uscc} and ${landParcels.cancelledOn} is null)
          and not exists (select 1 from ${landLeases} where ${landLeases.lessorUscc} = ${taxAnnual.uscc})`,
      ),
      desc(taxAnnual.revenueYuan),
    )
    .limit(1);
  if (annual?.uscc) return { uscc: annual.uscc, year: annual.year, asOf: today };
  const [first] = await database.db
    .select({ uscc: enterprises.uscc })
    .from(enterprises)
    .orderBy(enterprises.uscc)
    .limit(1);
  return {
    uscc: first?.uscc ?? '91370830000000000X',
    year: new Date().getFullYear() - 1,
    asOf: today,
  };
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: Buffer,
) {
  res.writeHead(status, { ...headers, 'content-length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Sends a page: compressed on the fly when accepted, 304 when the browser's copy is current. */
function sendPage(req: IncomingMessage, res: ServerResponse, page: PageName, html: string) {
  const raw = Buffer.from(html, 'utf8');
  const etag = `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"`;
  const headers: Record<string, string> = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    'content-security-policy': CONTENT_SECURITY_POLICY[page],
    vary: 'Accept-Encoding',
    etag,
    ...PAGE_HEADERS,
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const encoding = acceptedEncoding(req.headers['accept-encoding'], ['br', 'gzip']);
  if (encoding === 'br') {
    const body = zlib.brotliCompressSync(raw, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 },
    });
    return send(req, res, 200, { ...headers, 'content-encoding': 'br' }, body);
  }
  if (encoding === 'gzip')
    return send(req, res, 200, { ...headers, 'content-encoding': 'gzip' }, zlib.gzipSync(raw));
  send(req, res, 200, headers, raw);
}

const wantsHtml = (req: IncomingMessage) => /\btext\/html\b/.test(req.headers.accept ?? '');
const isRead = (req: IncomingMessage) => req.method === 'GET' || req.method === 'HEAD';

export interface WebRoutesOptions {
  database: Database;
  logger: Logger;
  manifest: WebManifest;
  /**
   * Fill the explorer's example with an enterprise on record (default true). The page is served
   * without a key, so a service that refuses anonymous callers passes false and the example
   * carries a placeholder code instead.
   */
  exampleFromDatabase?: boolean;
  /** the bundle's folder (default web/dist) */
  distDir?: string;
}

/** The routes for createApp's `routes`: explorer, dashboard, assets. */
export function createWebRoutes({
  database,
  logger,
  manifest,
  distDir = WEB_DIST,
  exampleFromDatabase = true,
}: WebRoutesOptions): Route[] {
  const cache = new Map<string, Buffer>();
  const read = (file: string) => {
    let data = cache.get(file);
    if (!data) {
      data = readFileSync(path.join(distDir, 'assets', file));
      cache.set(file, data);
    }
    return data;
  };

  const assets: Route = (req, res, url) => {
    if (!url.pathname.startsWith('/assets/') || !isRead(req)) return false;
    const name = url.pathname.slice('/assets/'.length);
    // only files the build wrote: the manifest is the whitelist (no path traversal)
    const entry = Object.hasOwn(manifest.files, name) ? manifest.files[name] : undefined;
    if (!entry) {
      send(
        req,
        res,
        404,
        { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        Buffer.from('未找到\n'),
      );
      return true;
    }
    const encoding = acceptedEncoding(req.headers['accept-encoding'], entry.encodings);
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'Accept-Encoding',
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'same-origin',
    };
    if (encoding) headers['content-encoding'] = encoding;
    send(
      req,
      res,
      200,
      headers,
      read(encoding ? `${name}.${encoding === 'br' ? 'br' : 'gz'}` : name),
    );
    return true;
  };

  const explorer: Route = async (req, res, url) => {
    if ((url.pathname !== '/graphql' && url.pathname !== '/') || !isRead(req) || !wantsHtml(req))
      return false;
    // a browser following a GET GraphQL link (?query=…) still gets GraphQL's answer
    if (url.searchParams.has('query')) return false;
    const values = exampleFromDatabase
      ? await exampleValues(database)
      : {
          uscc: '<统一社会信用代码>',
          year: new Date().getFullYear() - 1,
          asOf: new Date().toISOString().slice(0, 10),
        };
    const example = exampleQuery(schema, values);
    const config = {
      workers: manifest.workers,
      query: example.query,
      variables: example.variables,
      headers: [
        '{',
        '  // API 密钥: remove the two slashes below and put your key after "Bearer ".',
        '  // Without a key the embedded demo serves you as analyst.',
        '  // "Authorization": "Bearer <your API key>"',
        '}',
      ].join('\n'),
    };
    const body = `<div id="explorer" data-config="${escapeHtml(JSON.stringify(config))}"></div>`;
    sendPage(
      req,
      res,
      'explorer',
      pageHtml(manifest, 'explorer', 'GraphQL 查询 — 汶上县企业大数据平台', body),
    );
    return true;
  };

  const dashboard: Route = (req, res, url) => {
    if (!url.pathname.startsWith('/dashboard') || !isRead(req)) return false;
    if (url.pathname === '/dashboard/') {
      res.writeHead(308, { location: `/dashboard${url.search}` });
      res.end();
      return true;
    }
    if (url.pathname !== '/dashboard') return false;
    sendPage(
      req,
      res,
      'dashboard',
      pageHtml(
        manifest,
        'dashboard',
        '汶上县企业大数据平台 · 领导驾驶舱',
        '<div id="dashboard"></div>',
      ),
    );
    return true;
  };

  // Browsers ask for it on every page; answering keeps their consoles free of 404s.
  const favicon: Route = (req, res, url) => {
    if (url.pathname !== '/favicon.ico' || !isRead(req)) return false;
    res.writeHead(204, { 'cache-control': 'public, max-age=86400' });
    res.end();
    return true;
  };

  logger.debug(
    { built: manifest.builtAt, files: Object.keys(manifest.files).length },
    'web pages ready',
  );
  return [assets, explorer, dashboard, favicon];
}

/**
 * The routes over the built bundle. Without one the service cannot serve its pages: an error
 * telling to build it. A bundle older than the web sources is served, with a warning (`npm start`
 * rebuilds it first; a service started otherwise may be behind).
 */
export async function loadWebRoutes(options: Omit<WebRoutesOptions, 'manifest'>): Promise<Route[]> {
  const manifest = readManifest(options.distDir);
  if (!manifest) throw new Error('网页未构建 (web pages not built): run `npm run build:web` first');
  if (manifest.fingerprint !== sourceFingerprint())
    options.logger.warn('web bundle is older than its sources: run `npm run build:web`');
  return createWebRoutes({ ...options, manifest });
}
