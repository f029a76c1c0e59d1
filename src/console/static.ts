/**
 * Serves the built console (console/dist, made by `npm run build:console`) under /console:
 * hashed assets cached for a year, index.html never cached, a strict Content-Security-Policy
 * (everything from this origin only: no fonts, scripts or styles from elsewhere) and the
 * single-page app's fallback to index.html. Without a build, a 503 page says how to make one.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Where the package's console build lives. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * 'self' only. Styles: the React app sets element styles through the DOM (allowed by CSP);
 * no inline <style> or <script> is emitted by the build. connect-src 'self' is what keeps the
 * browser's SDK clients talking to this server only.
 */
export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
].join('; ');

const COMMON_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const MISSING = `<!doctype html><html><head><meta charset="utf-8"><title>coffer console not built</title></head>
<body><h1>The coffer console is not built</h1>
<p>This coffer package has no console build (<code>console/dist</code>). Build it with</p>
<pre>npm run build:console</pre><p>(<code>npm ci</code> and <code>npm install</code> build it too), then reload this page.</p></body></html>`;

/** The file under `dist` a request path names, or undefined when it escapes or is not a file. */
async function fileFor(dist: string, relPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = normalize(join(dist, decoded));
  if (!file.startsWith(dist.endsWith(sep) ? dist : dist + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? file : undefined;
}

async function indexPage(dist: string): Promise<StaticAnswer> {
  const body = await readFile(join(dist, 'index.html')).catch(() => undefined);
  if (!body) {
    return { status: 503, headers: { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: MISSING };
  }
  return { status: 200, headers: { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }, body };
}

/** GET/HEAD of a path under /console (the caller checked the prefix). */
export async function serveConsoleFile(method: string, urlPath: string, dist = CONSOLE_DIST): Promise<StaticAnswer> {
  if (method !== 'GET' && method !== 'HEAD') {
    return { status: 405, headers: { ...COMMON_HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, body: 'Method Not Allowed' };
  }
  const path = urlPath.split('?')[0]!;
  if (path === '/console') return { status: 301, headers: { ...COMMON_HEADERS, location: '/console/' }, body: '' };
  const rel = path.slice('/console/'.length);
  if (rel === '' || rel === 'index.html') return indexPage(dist);
  const file = await fileFor(dist, rel);
  if (!file) {
    // An asset that is not there is a 404; any other path is a page of the app.
    if (rel.startsWith('assets/') || extname(rel) !== '') {
      return { status: 404, headers: { ...COMMON_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }, body: 'Not Found' };
    }
    return indexPage(dist);
  }
  const body = await readFile(file);
  // Vite names built assets by content hash: they never change, so they may be kept for a year.
  const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
  return { status: 200, headers: { ...COMMON_HEADERS, 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': cache }, body };
}
