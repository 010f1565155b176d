import { existsSync } from 'node:fs';
import { z } from 'zod';

/** A setting is wrong: the message names the variable and never includes its value. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const snowflake = /^\d{17,20}$/;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const envSchema = z.object({
  SLACK_BOT_TOKEN: opt(z.string().regex(/^xoxb-/, 'must be a bot token starting with xoxb-')),
  SLACK_SIGNING_SECRET: opt(z.string().regex(/^[a-f0-9]{16,}$/i, 'must be the hex signing secret from the app settings')),
  SLACK_APP_TOKEN: opt(z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp-')),
  SLACK_API_URL: opt(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  SLACK_CLIENT_ID: opt(z.string().regex(/^\d+\.\d+$/, "must be the app's Client ID (digits.digits, from Basic Information)")),
  SLACK_CLIENT_SECRET: opt(z.string().regex(/^[a-f0-9]{16,}$/i, 'must be the hex Client Secret from the app settings')),
  SLACK_STATE_SECRET: opt(z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)')),
  TOKEN_ENCRYPTION_KEY: opt(z.string().refine((v) => tokenKey(v) !== undefined, 'must be 32 bytes, as 64 hex digits or base64 (e.g. openssl rand -base64 32)')),
  SLACK_ADMIN_USER_IDS: opt(z.string().regex(/^[A-Z0-9]+(,\s*[A-Z0-9]+)*$/, 'must be a comma-separated list of Slack user ids')),
  SLACK_EDITOR_USER_IDS: opt(z.string().regex(/^[A-Z0-9]+(,\s*[A-Z0-9]+)*$/, 'must be a comma-separated list of Slack user ids')),
  SLACK_EDITOR_CHANNEL_ID: opt(z.string().regex(/^[CGD][A-Z0-9]+$/, 'must be a Slack channel id (C…, G… or D…)')),
  PORT: opt(z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535)),
  METRICS_PORT: opt(z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535)),
  DISCORD_TOKEN: opt(z.string().min(20, 'does not look like a bot token')),
  DISCORD_APPLICATION_ID: opt(z.string().regex(snowflake, 'must be the numeric application id')),
  DISCORD_GUILD_ID: opt(z.string().regex(snowflake, 'must be a numeric guild id')),
  DISCORD_EDITOR_ROLE_ID: opt(z.string().regex(snowflake, 'must be a numeric role id')),
  DISCORD_EDITOR_CHANNEL_ID: opt(z.string().regex(snowflake, 'must be a numeric channel id')),
  DISCORD_API_URL: opt(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  DISCORD_SHARDS: opt(z.string().regex(/^(auto|[1-9]\d*)$/i, 'must be auto or a whole number of shards, 1 or more')),
  DATABASE_URL: opt(z.string().regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: or postgres://')),
  DIGEST_CATCHUP_MINUTES: opt(
    z.coerce
      .number({ error: 'must be a number of minutes' })
      .int()
      .min(0)
      .max(24 * 60),
  ),
  LOG_LEVEL: opt(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
});

/** Every variable the configuration reads (`.env.example` documents each; a test keeps them in step). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * Reads `.env`-style settings into the environment before the configuration is read: `ENV_FILE` (a path), else
 * `.env` in the working directory when it exists; `ENV_FILE=` (empty) reads none. Variables already set in the
 * environment win over the file (Node's own rule, as with `node --env-file`). Returns the file read, if any.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env.ENV_FILE ?? '.env';
  if (!path) return undefined;
  if (!existsSync(path)) {
    if (env.ENV_FILE) throw new ConfigError(`Cannot start: ENV_FILE names a file that does not exist (${path}).`);
    return undefined;
  }
  try {
    process.loadEnvFile(path);
  } catch (err) {
    throw new ConfigError(`Cannot start: cannot read the settings file ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}).`);
  }
  return path;
}

/**
 * TOKEN_ENCRYPTION_KEY as the 32-byte AES-256 key: 64 hex digits, or base64 (standard or URL-safe, padding
 * optional). Anything that does not decode to exactly 32 bytes is refused rather than stretched or cut.
 */
export function tokenKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return Buffer.from(t, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(t)) return undefined;
  const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : undefined;
}

/** Installing the app in any number of workspaces through Slack's OAuth flow (Bolt's /slack/install). */
export interface SlackOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Signs the OAuth state parameter (Bolt's state store). */
  stateSecret: string;
}

export interface SlackConfig {
  /** Single-workspace mode: the bot token. Absent in OAuth mode, where each workspace's token is stored. */
  botToken?: string;
  /** OAuth mode (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET). */
  oauth?: SlackOAuthConfig;
  mode: 'http' | 'socket';
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  port: number;
  adminUserIds: string[];
  /** Editors besides workspace admins and owners (SLACK_EDITOR_USER_IDS). */
  editorUserIds?: string[];
  /** Where new proposals are posted for review (SLACK_EDITOR_CHANNEL_ID); absent: the proposer's DM. */
  editorChannelId?: string;
}

export interface DiscordConfig {
  token: string;
  applicationId: string;
  guildId?: string;
  apiUrl?: string;
  /** Gateway shards, all in this process: a count, or `auto` for Discord's recommendation. Unset: one shard. */
  shards?: number | 'auto';
  /** Members with this role are editors, besides those with Manage Server (DISCORD_EDITOR_ROLE_ID). */
  editorRoleId?: string;
  /** Where new proposals are posted for review (DISCORD_EDITOR_CHANNEL_ID); absent: the proposer's DM. */
  editorChannelId?: string;
}

export interface Config {
  slack?: SlackConfig;
  discord?: DiscordConfig;
  databaseUrl?: string;
  digestCatchupMinutes: number;
  logLevel?: string;
  /** GET /healthz, /readyz and /metrics on a port of their own (see src/ops/health.ts). */
  metricsPort?: number;
  /** TOKEN_ENCRYPTION_KEY: encrypts the tokens of stored installations (required in Slack OAuth mode). */
  tokenEncryptionKey?: Buffer;
}

/** Reads settings from the environment only. Throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`);
    throw new ConfigError(`Cannot start: ${problems.join('; ')}.`);
  }
  const e = parsed.data;
  const config: Config = {
    databaseUrl: e.DATABASE_URL,
    digestCatchupMinutes: e.DIGEST_CATCHUP_MINUTES ?? 180,
    logLevel: e.LOG_LEVEL,
    metricsPort: e.METRICS_PORT,
    ...(e.TOKEN_ENCRYPTION_KEY ? { tokenEncryptionKey: tokenKey(e.TOKEN_ENCRYPTION_KEY)! } : {}),
  };
  const oauth = slackOAuth(e);
  if (e.SLACK_BOT_TOKEN || e.SLACK_APP_TOKEN || e.SLACK_SIGNING_SECRET || oauth) {
    if (!e.SLACK_BOT_TOKEN && !oauth) throw new ConfigError('Cannot start Slack: SLACK_BOT_TOKEN is missing (the xoxb- bot token).');
    if (!e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
      throw new ConfigError('Cannot start Slack: set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode).');
    }
    config.slack = {
      ...(e.SLACK_BOT_TOKEN ? { botToken: e.SLACK_BOT_TOKEN } : {}),
      ...(oauth ? { oauth } : {}),
      mode: e.SLACK_APP_TOKEN ? 'socket' : 'http',
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      port: e.PORT ?? 3000,
      adminUserIds: e.SLACK_ADMIN_USER_IDS ? e.SLACK_ADMIN_USER_IDS.split(',').map((s) => s.trim()) : [],
      editorUserIds: e.SLACK_EDITOR_USER_IDS ? e.SLACK_EDITOR_USER_IDS.split(',').map((s) => s.trim()) : [],
      ...(e.SLACK_EDITOR_CHANNEL_ID ? { editorChannelId: e.SLACK_EDITOR_CHANNEL_ID } : {}),
    };
  }
  if (e.DISCORD_TOKEN || e.DISCORD_APPLICATION_ID) {
    if (!e.DISCORD_TOKEN) throw new ConfigError('Cannot start Discord: DISCORD_TOKEN is missing.');
    if (!e.DISCORD_APPLICATION_ID) throw new ConfigError('Cannot start Discord: DISCORD_APPLICATION_ID is missing.');
    config.discord = {
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      guildId: e.DISCORD_GUILD_ID,
      apiUrl: e.DISCORD_API_URL,
      ...(e.DISCORD_EDITOR_ROLE_ID ? { editorRoleId: e.DISCORD_EDITOR_ROLE_ID } : {}),
      ...(e.DISCORD_EDITOR_CHANNEL_ID ? { editorChannelId: e.DISCORD_EDITOR_CHANNEL_ID } : {}),
      ...(e.DISCORD_SHARDS ? { shards: /^auto$/i.test(e.DISCORD_SHARDS) ? ('auto' as const) : Number(e.DISCORD_SHARDS) } : {}),
    };
  }
  return config;
}

/**
 * OAuth mode, when any of its variables is set: all three are needed, and so are HTTP mode (the install pages
 * are served beside /slack/events) and TOKEN_ENCRYPTION_KEY (the tokens are stored). A single SLACK_BOT_TOKEN
 * would be a second source of truth for one workspace, so the two modes exclude each other.
 */
function slackOAuth(e: z.infer<typeof envSchema>): SlackOAuthConfig | undefined {
  if (!e.SLACK_CLIENT_ID && !e.SLACK_CLIENT_SECRET && !e.SLACK_STATE_SECRET) return undefined;
  const missing = (['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const).filter((name) => !e[name]);
  if (missing.length) throw new ConfigError(`Cannot start Slack OAuth install: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing.`);
  if (e.SLACK_BOT_TOKEN) {
    throw new ConfigError(
      'Cannot start Slack: set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (install in several workspaces), not both. ' +
        "In OAuth mode install the app in the bot token's workspace through /slack/install.",
    );
  }
  if (e.SLACK_APP_TOKEN || !e.SLACK_SIGNING_SECRET) {
    throw new ConfigError('Cannot start Slack OAuth install: it needs HTTP mode (SLACK_SIGNING_SECRET set, SLACK_APP_TOKEN empty).');
  }
  if (!e.TOKEN_ENCRYPTION_KEY) {
    throw new ConfigError('Cannot start Slack OAuth install: TOKEN_ENCRYPTION_KEY is missing (32 bytes, hex or base64: openssl rand -base64 32).');
  }
  return { clientId: e.SLACK_CLIENT_ID!, clientSecret: e.SLACK_CLIENT_SECRET!, stateSecret: e.SLACK_STATE_SECRET! };
}
