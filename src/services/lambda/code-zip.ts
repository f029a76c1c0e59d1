/**
 * A function's deployment package: a real zip (its central directory read by fflate, the
 * zip library the runtime unpacks with) holding the file the handler names. The zip is kept
 * as uploaded; `CodeSha256` is its base64 SHA-256, as Lambda reports it.
 */
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { AwsError } from '../../errors.ts';
import { invalidParameterValue } from './errors.ts';

/** AWS's limit for a zip uploaded directly (50 MB) and for the request carrying it. */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
export const MAX_CODE_REQUEST_BYTES = 70_167_211;

export interface CheckedZip {
  zip: Buffer;
  sha256: string;
  entries: Set<string>;
}

export function checkZip(base64: string): CheckedZip {
  const zip = Buffer.from(base64, 'base64');
  if (zip.length > MAX_ZIP_BYTES) {
    throw new AwsError('RequestEntityTooLargeException', `Zipped size must be smaller than ${MAX_ZIP_BYTES} bytes`, 413);
  }
  const entries = new Set<string>();
  try {
    // The filter sees every entry of the central directory and extracts none.
    unzipSync(zip, { filter: (file) => { entries.add(file.name.replace(/^\.\//, '')); return false; } });
  } catch {
    throw invalidParameterValue('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  if (zip.length === 0 || entries.size === 0) {
    throw invalidParameterValue('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  return { zip, sha256: createHash('sha256').update(zip).digest('base64'), entries };
}

/** The files a handler can be loaded from: `index.handler` → index.js/.mjs/.cjs; `app.main` → app.py. */
export function handlerFiles(runtime: string, handler: string): string[] {
  const dot = handler.lastIndexOf('.');
  const module = dot > 0 ? handler.slice(0, dot) : handler;
  if (runtime.startsWith('python')) return [`${module.replaceAll('.', '/')}.py`];
  return ['.js', '.mjs', '.cjs'].map((ext) => `${module}${ext}`);
}

/**
 * The handler's file must be in the package. (AWS stores such a package and fails at the first
 * invoke with `Runtime.ImportModuleError`; coffer refuses it up front.)
 */
export function requireHandlerFile(entries: Set<string>, runtime: string, handler: string): void {
  const files = handlerFiles(runtime, handler);
  if (files.some((f) => entries.has(f))) return;
  throw invalidParameterValue(`The handler ${handler} names a file that is not in the deployment package (looked for ${files.join(', ')}).`);
}

/** The entries of a stored zip (for a handler change without new code). */
export function zipEntries(zip: Buffer): Set<string> {
  const entries = new Set<string>();
  unzipSync(zip, { filter: (file) => { entries.add(file.name.replace(/^\.\//, '')); return false; } });
  return entries;
}
