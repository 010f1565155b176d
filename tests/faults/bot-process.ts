/**
 * The real bot as the fault suite runs it: `src/main.ts` in its own process (as `npm start` runs it), with
 * only the environment given, its output collected, and waits on what it printed — never sleeps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface BotProcess {
  child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resident memory of the process now, in bytes (from /proc). */
  rss(): number;
  /** SIGKILL if still running. */
  kill(): void;
}

export interface StartOptions {
  /** Argv after `node`; default: the tsx loader and src/main.ts. */
  args?: string[];
  /** Run through `npm start` instead (the process npm starts is the one signalled). */
  viaNpm?: boolean;
}

export function startBot(env: Record<string, string>, options: StartOptions = {}): BotProcess {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
  const child = options.viaNpm
    ? spawn('npm', ['start', '--silent'], { cwd: process.cwd(), env: base, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, options.args ?? ['--import', 'tsx', 'src/main.ts'], { cwd: process.cwd(), env: base, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += String(d);
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    get pid() {
      return child.pid!;
    },
    output: () => out,
    exited,
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status);
      return kb ? Number(kb[1]) * 1024 : 0;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    waitForOutput(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} in output:\n${out}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() =>
          setTimeout(() => {
            if (listeners.has(check)) {
              listeners.delete(check);
              clearTimeout(timer);
              reject(new Error(`exited before ${pattern}:\n${out}`));
            }
          }, 50),
        );
        check();
      });
    },
  };
}
