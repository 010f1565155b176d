import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/**
 * Field names whose values are never written, wherever they appear. Tokens come only from the
 * environment, and the environment is never logged, but a library error may carry a config object.
 */
const SECRET_FIELDS = [
  'token',
  'botToken',
  'appToken',
  'userToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'signingSecret',
  'clientSecret',
  'client_secret',
  'stateSecret',
  'tokenEncryptionKey',
  'password',
  'authorization',
];
const REDACT = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  // An OAuth installation keeps its tokens one level further down (installation.bot.token).
  ...['token', 'refreshToken'].map((f) => `*.*.${f}`),
  'headers.authorization',
  '*.headers.authorization',
  'config.headers.Authorization',
];

const SECRET_PATTERN =
  /(xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}|postgres(?:ql)?:\/\/[^\s@]*:[^\s@]*@)/g;

/** Masks token-shaped strings in free text (error messages, URLs) before they are logged. */
export function maskSecrets(text: string): string {
  return text.replace(SECRET_PATTERN, '[redacted]');
}

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: {
        log(object) {
          const err = object.err as { message?: string; stack?: string } | undefined;
          if (err && typeof err === 'object') {
            return {
              ...object,
              err: { ...err, message: maskSecrets(String(err.message ?? '')), stack: maskSecrets(String(err.stack ?? '')) },
            };
          }
          return object;
        },
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    // Synchronous: pino's asynchronous default flushes at exit in a loop that never ends once the reader of
    // the pipe is gone (EPIPE), so process.exit() after SIGTERM would hang. Log lines are few; each is one write.
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}
