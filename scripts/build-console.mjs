#!/usr/bin/env node
// Builds the web console into console/dist (npm's `prepare` runs this after `npm ci`/`npm install`;
// scripts/test.mjs runs it with --if-missing). Without the dev dependencies (a production
// install), there is nothing to build with: it says so and leaves /console answering 503.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'console', 'dist', 'index.html');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');

if (process.argv.includes('--if-missing') && existsSync(dist)) process.exit(0);
if (!existsSync(vite)) {
  console.warn('coffer: vite is not installed (production install?); the console is not built. Run `npm install` then `npm run build:console`.');
  process.exit(0);
}
const r = spawnSync(process.execPath, [vite, 'build', '--config', join(root, 'console', 'vite.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
