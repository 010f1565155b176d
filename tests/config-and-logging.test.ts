import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig, loadEnvFile } from '../src/config.ts';
import { captureLogger } from './helpers/bot.ts';

const SLACK_TOKEN = 'xoxb-1234567890-abcdefghijklmnop';
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'.replace(/[yz]/g, 'a');
const DISCORD_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const KEY = randomBytes(32);
const OAUTH = {
  SLACK_CLIENT_ID: '1234567890.9876543210',
  SLACK_CLIENT_SECRET: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  SLACK_STATE_SECRET: 'a-state-secret-of-at-least-32-characters',
  SLACK_SIGNING_SECRET: SECRET,
  TOKEN_ENCRYPTION_KEY: KEY.toString('base64'),
};

describe('configuration from the environment', () => {
  it('with no token: no platform, the shell and SQLite defaults', () => {
    const c = loadConfig({});
    expect(c.slack).toBeUndefined();
    expect(c.discord).toBeUndefined();
    expect(c.digestCatchupMinutes).toBe(180);
  });

  it('reads METRICS_PORT for the health and metrics endpoints', () => {
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(loadConfig({}).metricsPort).toBeUndefined();
  });

  it('picks Slack HTTP or Socket Mode from the tokens present', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: SLACK_TOKEN, SLACK_SIGNING_SECRET: SECRET }).slack?.mode).toBe('http');
    expect(loadConfig({ SLACK_BOT_TOKEN: SLACK_TOKEN, SLACK_APP_TOKEN: 'xapp-1-A1-123-abc' }).slack?.mode).toBe('socket');
  });

  it('Slack OAuth mode: client id, secrets and the token key, no bot token; the key as hex or base64 (URL-safe or not)', () => {
    const slack = loadConfig(OAUTH).slack!;
    expect(slack.mode).toBe('http');
    expect(slack.botToken).toBeUndefined();
    expect(slack.oauth).toEqual({ clientId: OAUTH.SLACK_CLIENT_ID, clientSecret: OAUTH.SLACK_CLIENT_SECRET, stateSecret: OAUTH.SLACK_STATE_SECRET });
    for (const text of [KEY.toString('base64'), KEY.toString('base64url'), KEY.toString('base64').replace(/=$/, ''), KEY.toString('hex')]) {
      expect(loadConfig({ ...OAUTH, TOKEN_ENCRYPTION_KEY: text }).tokenEncryptionKey?.equals(KEY)).toBe(true);
    }
    // The single-token mode is unchanged: no OAuth, no key needed.
    const single = loadConfig({ SLACK_BOT_TOKEN: SLACK_TOKEN, SLACK_SIGNING_SECRET: SECRET });
    expect(single.slack).toMatchObject({ botToken: SLACK_TOKEN, mode: 'http' });
    expect(single.slack?.oauth).toBeUndefined();
    expect(single.tokenEncryptionKey).toBeUndefined();
  });

  it('reads DISCORD_SHARDS as a count or auto; unset, one shard as before', () => {
    const discord = { DISCORD_TOKEN, DISCORD_APPLICATION_ID: '1190000000000000001' };
    expect(loadConfig({ ...discord, DISCORD_SHARDS: '2' }).discord?.shards).toBe(2);
    expect(loadConfig({ ...discord, DISCORD_SHARDS: 'auto' }).discord?.shards).toBe('auto');
    expect(loadConfig({ ...discord, DISCORD_SHARDS: 'AUTO' }).discord?.shards).toBe('auto');
    expect(loadConfig({ ...discord, DISCORD_SHARDS: '' }).discord?.shards).toBeUndefined();
    expect(loadConfig(discord).discord?.shards).toBeUndefined();
  });

  it.each([
    [{ SLACK_BOT_TOKEN: SLACK_TOKEN }, /SLACK_SIGNING_SECRET.*SLACK_APP_TOKEN/],
    [{ SLACK_SIGNING_SECRET: SECRET }, /SLACK_BOT_TOKEN is missing/],
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: SECRET }, /SLACK_BOT_TOKEN must be a bot token/],
    [{ DISCORD_TOKEN }, /DISCORD_APPLICATION_ID is missing/],
    [{ DISCORD_TOKEN, DISCORD_APPLICATION_ID: 'not-a-number' }, /DISCORD_APPLICATION_ID must be the numeric application id/],
    [{ DISCORD_SHARDS: '0' }, /DISCORD_SHARDS must be auto or a whole number of shards/],
    [{ DISCORD_SHARDS: '1.5' }, /DISCORD_SHARDS must be auto or a whole number of shards/],
    [{ DISCORD_SHARDS: 'two' }, /DISCORD_SHARDS must be auto or a whole number of shards/],
    [{ DISCORD_SHARDS: '-2' }, /DISCORD_SHARDS must be auto or a whole number of shards/],
    [{ PORT: 'eighty' }, /PORT must be a port number/],
    [{ METRICS_PORT: '70000' }, /METRICS_PORT must be a port number|METRICS_PORT .*65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with file: or postgres:\/\//],
    [{ ...OAUTH, SLACK_CLIENT_SECRET: '' }, /SLACK_CLIENT_SECRET is missing/],
    [{ SLACK_CLIENT_ID: OAUTH.SLACK_CLIENT_ID, SLACK_SIGNING_SECRET: SECRET }, /SLACK_CLIENT_SECRET and SLACK_STATE_SECRET are missing/],
    [{ ...OAUTH, SLACK_CLIENT_ID: 'my-app' }, /SLACK_CLIENT_ID must be the app's Client ID/],
    [{ ...OAUTH, SLACK_STATE_SECRET: 'short-state-secret' }, /SLACK_STATE_SECRET must be at least 32 characters/],
    [{ ...OAUTH, TOKEN_ENCRYPTION_KEY: '' }, /TOKEN_ENCRYPTION_KEY is missing/],
    [{ ...OAUTH, TOKEN_ENCRYPTION_KEY: randomBytes(16).toString('base64') }, /TOKEN_ENCRYPTION_KEY must be 32 bytes/],
    [{ ...OAUTH, TOKEN_ENCRYPTION_KEY: randomBytes(31).toString('hex') }, /TOKEN_ENCRYPTION_KEY must be 32 bytes/],
    [{ ...OAUTH, TOKEN_ENCRYPTION_KEY: `${randomBytes(32).toString('hex').slice(0, 63)}g` }, /TOKEN_ENCRYPTION_KEY must be 32 bytes/],
    [{ ...OAUTH, SLACK_BOT_TOKEN: SLACK_TOKEN }, /either SLACK_BOT_TOKEN .* or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET/],
    [{ ...OAUTH, SLACK_SIGNING_SECRET: '' }, /OAuth install: it needs HTTP mode/],
    [{ ...OAUTH, SLACK_APP_TOKEN: 'xapp-1-A1-123-abc' }, /OAuth install: it needs HTTP mode/],
  ])('a bad setting stops the start with one message naming the variable: %o', (env, message) => {
    const text = configError(env as Record<string, string>);
    expect(text).toMatch(message);
    for (const value of Object.values(env)) if (value.length > 12) expect(text).not.toContain(value);
  });
});

describe('logging never prints secrets', () => {
  it('redacts token fields and token-shaped strings in messages and errors', () => {
    const { log, lines } = captureLogger('info');
    log.info({ token: SLACK_TOKEN, config: { botToken: SLACK_TOKEN, signingSecret: SECRET } }, 'starting');
    log.error({ err: new Error(`request failed with ${SLACK_TOKEN} and ${DISCORD_TOKEN}`) }, 'failed');
    log.warn(`connecting to postgres://app:hunter2@db:5432/x with ${DISCORD_TOKEN}`);
    const out = lines().join('\n');
    expect(out).toContain('starting');
    expect(out).toContain('[redacted]');
    for (const secret of [SLACK_TOKEN, SECRET, DISCORD_TOKEN, 'hunter2']) expect(out).not.toContain(secret);
  });

  it('redacts the OAuth secrets, the token key and an installation’s tokens, and rotated (xoxe-) tokens in text', () => {
    const { log, lines } = captureLogger('info');
    const bot = 'xoxb-2222-3333-InstalledWorkspaceToken';
    const refresh = 'xoxe-1-RefreshTokenOfARotatedInstall';
    log.info(
      {
        config: { clientSecret: OAUTH.SLACK_CLIENT_SECRET, stateSecret: OAUTH.SLACK_STATE_SECRET, tokenEncryptionKey: OAUTH.TOKEN_ENCRYPTION_KEY },
        installation: { bot: { token: bot, refreshToken: refresh }, team: { id: 'T0001' } },
        body: { client_secret: OAUTH.SLACK_CLIENT_SECRET, access_token: bot, refresh_token: refresh },
      },
      'installed',
    );
    log.warn(`refresh failed for ${refresh}`);
    const out = lines().join('\n');
    expect(out).toContain('T0001');
    for (const secret of [bot, refresh, OAUTH.SLACK_CLIENT_SECRET, OAUTH.SLACK_STATE_SECRET, OAUTH.TOKEN_ENCRYPTION_KEY]) expect(out).not.toContain(secret);
  });
});

describe('.env.example and ENV_FILE', () => {
  const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  const settings = new Map(
    example
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );

  it('lists every variable the configuration reads, each with a comment, and no other', () => {
    expect([...settings.keys()].sort()).toEqual([...CONFIG_VARIABLES].sort());
    const lines = example.split('\n');
    for (const name of settings.keys()) {
      const at = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect(lines[at - 1], `${name} has no comment above it`).toMatch(/^# /);
    }
  });

  it('holds no secret: every token and secret is empty, and as it stands it starts the shell', () => {
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SLACK_APP_TOKEN',
      'SLACK_CLIENT_ID',
      'SLACK_CLIENT_SECRET',
      'SLACK_STATE_SECRET',
      'TOKEN_ENCRYPTION_KEY',
      'DISCORD_TOKEN',
      'DATABASE_URL',
    ])
      expect(settings.get(name)).toBe('');
    const config = loadConfig(Object.fromEntries(settings));
    expect(config.slack).toBeUndefined();
    expect(config.discord).toBeUndefined();
  });

  it('loads ENV_FILE into the environment; a variable already set wins over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'niger-watch-env-'));
    try {
      const file = join(dir, 'settings.env');
      writeFileSync(file, 'NIGER_WATCH_TEST_FROM_FILE=file\nNIGER_WATCH_TEST_SET=file\n');
      process.env.NIGER_WATCH_TEST_SET = 'environment';
      expect(loadEnvFile({ ENV_FILE: file })).toBe(file);
      expect(process.env.NIGER_WATCH_TEST_FROM_FILE).toBe('file');
      expect(process.env.NIGER_WATCH_TEST_SET).toBe('environment');
      expect(loadEnvFile({ ENV_FILE: '' })).toBeUndefined();
      expect(() => loadEnvFile({ ENV_FILE: join(dir, 'missing.env') })).toThrow(/ENV_FILE names a file that does not exist/);
    } finally {
      delete process.env.NIGER_WATCH_TEST_FROM_FILE;
      delete process.env.NIGER_WATCH_TEST_SET;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
