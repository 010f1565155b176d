import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Runs a TypeScript entry point (through tsx) with only the given environment (plus PATH and HOME). */
export function runTs(entry: string, env: Record<string, string>, args: string[] = []): Spawned {
  return run(TSX, [entry, ...args], env);
}

/** Runs a compiled entry point (dist/, as `npm start` does) with only the given environment (plus PATH and HOME). */
export function runJs(entry: string, env: Record<string, string>, args: string[] = []): Spawned {
  return run(process.execPath, [entry, ...args], env);
}

function run(command: string, argv: string[], env: Record<string, string>): Spawned {
  const child = spawn(command, argv, {
    cwd: ROOT,
    // ENV_FILE empty: a developer's .env never reaches the process under test.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENV_FILE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}
