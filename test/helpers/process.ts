/**
 * Runs `coffer` commands that are expected to exit on their own (usage errors, refused
 * starts, --help), and reads what an operator would see: exit code, stdout, stderr.
 */
import { spawn } from 'node:child_process';
import { COFFER_BIN } from './server.ts';

export interface ExitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `coffer ARGS`; a process still running after `timeoutMs` is killed and reported as code null.
 * The default is generous: a CLI start (tsx compiling the sources) on a busy 2-CPU machine has
 * taken over 30 s; the limit is there to catch a hang, not to time the command.
 */
export function runCoffer(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ExitResult> {
  const env: Record<string, string> = { ...process.env as Record<string, string>, COFFER_LOG_LEVEL: 'warn', ...opts.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  const child = spawn(process.execPath, [COFFER_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
