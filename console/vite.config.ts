// Builds the console into console/dist, served by `coffer serve` at /console (src/console/static.ts).
// `npm run dev:console` proxies the API to a coffer on COFFER_URL (default http://127.0.0.1:4599).
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const target = process.env.COFFER_URL ?? 'http://127.0.0.1:4599';
const shim = (file: string) => fileURLToPath(new URL(`src/shims/${file}`, import.meta.url));

/**
 * The console runs src/rotation-setup (the one-call rotation setup) in the page with the
 * user's own clients. Two of its Node-only imports get browser versions: node:crypto (a
 * synchronous SHA-256) and the template bundler (esbuild runs on the server; the page
 * downloads the built zip).
 */
function browserShims(): Plugin {
  return {
    name: 'coffer-browser-shims',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'node:crypto') return shim('node-crypto.ts');
      if (source === './bundle.ts' && importer && /[\\/]src[\\/]rotation-templates[\\/]index\.ts$/.test(importer)) return shim('template-bundle.ts');
      return null;
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [browserShims(), react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP forbids inline scripts: no inlined module-preload polyfill, no data: scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
    sourcemap: false,
  },
  server: {
    // The AWS APIs are POSTs to / (signed for this origin's host); the console API is /console/api.
    proxy: {
      '/console/api': { target, changeOrigin: false },
      '^/$': { target, changeOrigin: false },
    },
  },
});
