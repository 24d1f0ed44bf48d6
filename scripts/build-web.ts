/**
 * Builds the browser pages (the GraphiQL explorer and the county dashboard) into web/dist/ with
 * esbuild, so that the service can serve them without any CDN: run by `npm install`
 * (postinstall), and with --if-stale before `npm start` (prestart), when the bundle is missing or
 * its sources changed. The service reads the result (server/web-bundle.ts) and never builds.
 *
 * Output: web/dist/assets/<name>-<hash>.<ext> (content-hashed, served as immutable), each text
 * asset also pre-compressed as .br and .gz (node:zlib), and web/dist/manifest.json naming the files
 * each page needs. Fonts and images that packages inline as data: URLs are written out as files,
 * so that the pages' Content-Security-Policy can be 'self' only.
 */

import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import {
  ASSETS,
  listFiles,
  type PageName,
  readManifest,
  sourceFingerprint,
  WEB_DIST,
  type WebManifest,
} from '../server/web-bundle.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The pages and their entry modules. */
const PAGES: Record<PageName, string> = {
  explorer: 'web/explorer/main.ts',
  dashboard: 'web/dashboard/main.ts',
};

/** Monaco's language workers, by the label Monaco asks for (graphiql 5 edits with Monaco). */
const WORKERS = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
} as const;

const COMPRESSIBLE = /\.(js|css|svg|json|txt|ttf|map)$/;
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

const contentName = (data: Buffer, ext: string) =>
  `inline-${createHash('sha256').update(data).digest('hex').slice(0, 12)}.${ext}`;
const DATA_URL = /url\(\s*(["']?)data:([a-z0-9.+-]+\/[a-z0-9.+-]+)(;base64)?,([^"')]*)\1\s*\)/gi;
const EXTENSIONS: Record<string, string> = {
  'font/ttf': 'ttf',
  'font/woff': 'woff',
  'font/woff2': 'woff2',
  'application/font-woff': 'woff',
  'image/png': 'png',
  'image/svg+xml': 'svg',
  'image/gif': 'gif',
};

/** Writes each data: URL of a style sheet out as a file beside it and points the sheet at it. */
function extractDataUrls(cssFile: string): string[] {
  const written: string[] = [];
  const css = readFileSync(cssFile, 'utf8').replace(
    DATA_URL,
    (whole, _quote, type: string, base64: string | undefined, body: string) => {
      const ext = EXTENSIONS[type.toLowerCase()];
      if (!ext) return whole;
      const data = base64
        ? Buffer.from(body, 'base64')
        : Buffer.from(decodeURIComponent(body), 'utf8');
      const name = contentName(data, ext);
      writeFileSync(path.join(path.dirname(cssFile), name), data);
      written.push(name);
      return `url(${name})`;
    },
  );
  writeFileSync(cssFile, css);
  return written;
}

/**
 * Bundles both pages and the Monaco workers into `outDir` (default web/dist) and writes the
 * manifest last, so that a reader never sees a manifest naming files that are not there yet.
 * Returns the manifest. Takes a few seconds (brotli at quality 10 over ~5 MB).
 */
export async function buildWeb(
  options: { outDir?: string; log?: (line: string) => void } = {},
): Promise<WebManifest> {
  const outDir = options.outDir ?? WEB_DIST;
  const log = options.log ?? (() => {});
  const started = Date.now();
  const fingerprint = sourceFingerprint();
  // Build beside the final place, then move files in one by one: names are content hashes, so
  // a concurrent build of the same sources writes the same files.
  const staging = path.join(outDir, `.build-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { recursive: true });
  try {
    const common: BuildOptions = {
      absWorkingDir: ROOT,
      bundle: true,
      minify: true,
      metafile: true,
      outdir: staging,
      target: ['chrome100', 'firefox100', 'safari15'],
      define: { 'process.env.NODE_ENV': '"production"' },
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.png': 'file', '.svg': 'file' },
      assetNames: '[name]-[hash]',
      entryNames: '[name]-[hash]',
      chunkNames: 'chunk-[hash]',
      legalComments: 'linked',
      logLevel: 'warning',
    };
    const workerBuild = await build({
      ...common,
      entryPoints: Object.entries(WORKERS).map(([label, module]) => ({
        in: module,
        out: `${label}.worker`,
      })),
      format: 'iife',
    });
    const pageBuild = await build({
      ...common,
      entryPoints: Object.entries(PAGES).map(([name, module]) => ({ in: module, out: name })),
      format: 'esm',
      splitting: true,
    });
    const pages = pageBuild.metafile!;
    const workers = workerBuild.metafile!;

    const entryOutput = (meta: Metafile, entry: string) => {
      const found = Object.entries(meta.outputs).find(([, output]) =>
        output.entryPoint?.endsWith(entry.replace(/^.*node_modules\//, '')),
      );
      if (!found) throw new Error(`esbuild produced no output for ${entry}`);
      return found;
    };
    const relative = (file: string) =>
      path.relative(staging, path.resolve(ROOT, file)).split(path.sep).join('/');
    const manifestPages = {} as WebManifest['pages'];
    for (const [name, entry] of Object.entries(PAGES) as [PageName, string][]) {
      const [script, output] = entryOutput(pages, entry);
      // CSS of the page and of the chunks it loads later (Monaco's CSS comes with lazy chunks).
      const styles = new Set<string>(output.cssBundle ? [relative(output.cssBundle)] : []);
      const seen = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        const out = pages.outputs[file];
        if (out?.cssBundle) styles.add(relative(out.cssBundle));
        for (const imported of out?.imports ?? [])
          if (!imported.external && imported.path.endsWith('.js')) visit(imported.path);
      };
      visit(script);
      manifestPages[name] = {
        script: `${ASSETS}/${relative(script)}`,
        styles: [...styles].map((s) => `${ASSETS}/${s}`),
      };
    }
    const manifestWorkers = {} as WebManifest['workers'];
    for (const [label, module] of Object.entries(WORKERS) as [keyof typeof WORKERS, string][]) {
      manifestWorkers[label] = `${ASSETS}/${relative(entryOutput(workers, module)[0])}`;
    }

    for (const css of listFiles(staging).filter((f) => f.endsWith('.css'))) extractDataUrls(css);

    const files: WebManifest['files'] = {};
    await Promise.all(
      listFiles(staging).map(async (file) => {
        const data = readFileSync(file);
        const encodings: ('br' | 'gzip')[] = [];
        if (COMPRESSIBLE.test(file) && data.length > 1024) {
          const [br, gz] = await Promise.all([
            brotli(data, {
              params: {
                [zlib.constants.BROTLI_PARAM_QUALITY]: 10,
                [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
              },
            }),
            gzip(data, { level: 9 }),
          ]);
          if (br.length < data.length * 0.9) {
            writeFileSync(`${file}.br`, br);
            encodings.push('br');
          }
          if (gz.length < data.length * 0.9) {
            writeFileSync(`${file}.gz`, gz);
            encodings.push('gzip');
          }
        }
        files[relative(file)] = { bytes: data.length, encodings };
      }),
    );

    const assetsDir = path.join(outDir, ASSETS);
    mkdirSync(assetsDir, { recursive: true });
    for (const file of listFiles(staging))
      renameSync(file, path.join(assetsDir, path.basename(file)));
    const manifest: WebManifest = {
      fingerprint,
      builtAt: new Date().toISOString(),
      pages: manifestPages,
      workers: manifestWorkers,
      files,
    };
    const tmp = path.join(outDir, `manifest.json.${randomBytes(4).toString('hex')}`);
    writeFileSync(tmp, JSON.stringify(manifest, null, 2));
    renameSync(tmp, path.join(outDir, 'manifest.json'));

    const total = Object.values(files).reduce((sum, f) => sum + f.bytes, 0);
    log(
      `web bundle: ${Object.keys(files).length} files, ${(total / 1e6).toFixed(1)} MB in ${outDir} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Removes files under assets/ that the current manifest does not name (older builds). */
export function pruneStaleAssets(outDir = WEB_DIST): number {
  const manifest = readManifest(outDir);
  if (!manifest) return 0;
  const keep = new Set(Object.keys(manifest.files).flatMap((f) => [f, `${f}.br`, `${f}.gz`]));
  let removed = 0;
  const assetsDir = path.join(outDir, ASSETS);
  for (const file of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
    // a file written in the last minute may belong to a build still running beside this one
    if (!keep.has(file) && Date.now() - statSync(path.join(assetsDir, file)).mtimeMs > 60_000) {
      rmSync(path.join(assetsDir, file));
      removed += 1;
    }
  }
  return removed;
}

/** The manifest of an up-to-date bundle, building it first when it is missing or stale. */
export async function ensureWebBuilt(
  options: { outDir?: string; log?: (line: string) => void } = {},
): Promise<WebManifest> {
  const manifest = readManifest(options.outDir);
  if (manifest && manifest.fingerprint === sourceFingerprint()) return manifest;
  options.log?.(
    manifest ? 'web bundle is out of date: rebuilding' : 'web bundle missing: building it',
  );
  const built = await buildWeb(options);
  pruneStaleAssets(options.outDir);
  return built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const work = process.argv.includes('--if-stale')
    ? ensureWebBuilt({ log })
    : buildWeb({ log }).then(() => pruneStaleAssets());
  work.catch((error) => {
    process.stderr.write(`build-web: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
