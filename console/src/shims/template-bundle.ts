// The browser's stand-in for src/rotation-templates/bundle.ts (vite.config.ts swaps it in): the
// built-in rotation functions are bundled by the server (esbuild cannot run in a page), and the
// console fetches the zip from /console/api/rotation-templates/NAME.zip. The zips hold no secret.
import type { TemplateName } from '../../../src/rotation-templates/index.ts';

const cache = new Map<TemplateName, Promise<Uint8Array>>();

async function download(name: TemplateName): Promise<Uint8Array> {
  const res = await fetch(`/console/api/rotation-templates/${name}.zip`);
  if (!res.ok) throw new Error(`could not download the rotation template ${name}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export function bundleTemplate(name: TemplateName): Promise<Uint8Array> {
  let pending = cache.get(name);
  if (!pending) {
    pending = download(name);
    pending.catch(() => cache.delete(name));
    cache.set(name, pending);
  }
  return pending;
}
