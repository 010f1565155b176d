/**
 * The real bot as `npm start` runs it: `node dist/src/main.js` (compiled) in its own process, with only the environment given,
 * its output collected, and waits on what it printed — never sleeps. Used by the start-up tests and the
 * fault suite.
 */
import { spawn, type ChildProcess, type SpawnOptionsWithStdioTuple } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { BOT_TOKEN, SIGNING_SECRET } from '../slack/harness.ts';
import { MAIN_JS } from './entry.ts';

export interface BotProcess {
  child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resident memory of the process now, in bytes (from /proc). */
  rss(): number;
  /**
   * The pids under this process now (children first, from /proc), remembered so that `kill` also ends
   * any of them that a broken stop leaves orphaned.
   */
  descendants(): number[];
  /** The exit code, or 'still running' if the process has not exited within `ms`. */
  exitedWithin(ms: number): Promise<number | null | 'still running'>;
  /** SIGKILL if still running, and every remembered descendant still alive. */
  kill(): void;
}

/** The pids whose parent is `pid` (all of its threads' children). */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** Whether `pid` is a running (not exited, not zombie) process. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** The environment of the bot in Slack HTTP mode against a fake Slack (the test tokens; PORT 0 picks a free port). */
export function slackHttpEnv(apiUrl: string, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    PORT: '0',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export interface StartOptions {
  /** Argv after `node`; default: dist/src/main.js, what `npm start` runs. */
  args?: string[];
  /** Run through `npm start` instead (the process npm starts is the one signalled). */
  viaNpm?: boolean;
  /** Run as this user and group (the caller must be root). */
  uid?: number;
  gid?: number;
}

export function startBot(env: Record<string, string>, options: StartOptions = {}): BotProcess {
  // ENV_FILE empty: a developer's .env never reaches the bot under test.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENV_FILE: '', ...env };
  const spawnOptions: SpawnOptionsWithStdioTuple<'pipe', 'pipe', 'pipe'> = {
    cwd: process.cwd(),
    env: base,
    stdio: ['pipe', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  };
  const child = options.viaNpm ? spawn('npm', ['start', '--silent'], spawnOptions) : spawn(process.execPath, options.args ?? [MAIN_JS], spawnOptions);
  const remembered = new Map<number, string | undefined>();
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
    descendants() {
      const found: number[] = [];
      const walk = (pid: number) => {
        for (const c of childrenOf(pid)) {
          found.push(c);
          walk(c);
        }
      };
      walk(child.pid!);
      for (const pid of found) remembered.set(pid, commandLine(pid));
      return found;
    },
    exitedWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
      return Promise.race([exited, late]).finally(() => clearTimeout(timer));
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // Only a pid that still runs the same command: a pid freed and reused since is not ours.
      for (const [pid, cmd] of remembered) if (isRunning(pid) && commandLine(pid) === cmd) process.kill(pid, 'SIGKILL');
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
