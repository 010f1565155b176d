import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { maskSecrets, type Logger } from '../../logger.ts';

const PINO_TO_BOLT: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
};

/**
 * Bolt's, the Web API client's and the Socket Mode client's logs, sent to the project's pino logger. The
 * level is pino's (Bolt's setLevel is ignored); every message is masked for token-shaped strings and for
 * the configured secrets themselves (a signing secret has no recognisable shape).
 */
export function boltLogger(log: Logger, secrets: (string | undefined)[]): BoltLogger {
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
  const mask = (text: string) => known.reduce((t, s) => t.split(s).join('[redacted]'), maskSecrets(text));
  const line = (parts: unknown[]): { msg: string; err?: { name: string; message: string; stack?: string; code?: unknown } } => {
    let err: { name: string; message: string; stack?: string; code?: unknown } | undefined;
    const texts = parts.map((p) => {
      if (p instanceof Error) {
        err = { name: p.name, message: mask(p.message), stack: p.stack ? mask(p.stack) : undefined, code: (p as { code?: unknown }).code };
        return mask(p.message);
      }
      if (typeof p === 'string') return mask(p);
      try {
        return mask(JSON.stringify(p));
      } catch {
        return mask(String(p));
      }
    });
    return { msg: texts.join(' '), ...(err ? { err } : {}) };
  };
  const child = log.child({ component: 'slack-bolt' });
  let name = 'bolt';
  const emit = (level: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]) => {
    if (!child.isLevelEnabled(level)) return;
    const { msg, err } = line(parts);
    child[level]({ lib: name, ...(err ? { err } : {}) }, msg);
  };
  return {
    debug: (...msg: unknown[]) => emit('debug', msg),
    info: (...msg: unknown[]) => emit('info', msg),
    warn: (...msg: unknown[]) => emit('warn', msg),
    error: (...msg: unknown[]) => emit('error', msg),
    setLevel: () => {},
    getLevel: () => PINO_TO_BOLT[child.level] ?? LogLevel.ERROR,
    setName: (n: string) => {
      name = n;
    },
  };
}
