/**
 * Bundles a template's handler with esbuild into one ES module (the AWS SDK client and the
 * database driver inside, so the function needs nothing from NODE_PATH, which ES modules
 * ignore) and zips it as `index.mjs`. Each template is bundled once per process.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import type { TemplateName } from './index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = new Map<TemplateName, Promise<Buffer>>();

// Bundled CommonJS (pg, mysql2) calls require() for Node's own modules; an ES module has none.
const REQUIRE_SHIM = "import { createRequire as __cofferCreateRequire } from 'node:module';\nconst require = __cofferCreateRequire(import.meta.url);";

async function bundle(name: TemplateName): Promise<Buffer> {
  const result = await build({
    entryPoints: [path.join(here, 'functions', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    // pg's optional native binding; never used.
    external: ['pg-native'],
    banner: { js: REQUIRE_SHIM },
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${name}`);
  // A fixed mtime makes the zip, and so CodeSha256, the same for the same code.
  const zipped = zipSync({ 'index.mjs': [file.contents, { mtime: new Date('2024-01-01T00:00:00Z'), level: 9 }] });
  return Buffer.from(zipped);
}

export function bundleTemplate(name: TemplateName): Promise<Buffer> {
  let pending = cache.get(name);
  if (!pending) {
    pending = bundle(name);
    // A failed bundle is not cached: the next call tries again.
    pending.catch(() => cache.delete(name));
    cache.set(name, pending);
  }
  return pending;
}
