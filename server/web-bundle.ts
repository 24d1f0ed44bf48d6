import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What the service knows of the browser pages' bundle: where it is, what its manifest says and
 * whether it is current. Building it (esbuild, a development tool) is scripts/build-web.ts's
 * job, run by `npm install` and before `npm start`; the service only reads the result.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the bundle goes (gitignored). */
export const WEB_DIST = path.join(ROOT, 'web', 'dist');
/** The bundle's assets folder, under WEB_DIST and under the site root. */
export const ASSETS = 'assets';

/** The pages the bundle holds. */
export const PAGE_NAMES = ['explorer', 'dashboard'] as const;
export type PageName = (typeof PAGE_NAMES)[number];

export interface WebManifest {
  /** hash of the inputs (web sources, the build script, the lock file): a different one means rebuild */
  fingerprint: string;
  builtAt: string;
  /** per page: its module script and style sheets, as paths relative to the site root */
  pages: Record<PageName, { script: string; styles: string[] }>;
  /** Monaco worker scripts by the label Monaco asks for (editor, json, graphql) */
  workers: Record<string, string>;
  /** every file under assets/, with the compressed variants written beside it */
  files: Record<string, { bytes: number; encodings: ('br' | 'gzip')[] }>;
}

/** Every file under `dir`, recursively (none when it does not exist). */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

/** Hash of everything the bundle is made from; a manifest with another one is stale. */
export function sourceFingerprint(): string {
  const hash = createHash('sha256');
  const inputs = [
    ...listFiles(path.join(ROOT, 'web')).filter((f) => !f.startsWith(WEB_DIST + path.sep)),
    path.join(ROOT, 'scripts', 'build-web.ts'),
    path.join(ROOT, 'package-lock.json'),
  ].sort();
  for (const file of inputs) {
    if (!existsSync(file)) continue;
    hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The bundle's manifest, or null when there is none (never built, or being written). */
export function readManifest(outDir = WEB_DIST): WebManifest | null {
  try {
    return JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')) as WebManifest;
  } catch {
    return null;
  }
}
