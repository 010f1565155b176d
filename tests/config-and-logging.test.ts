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

  it.each([
    [{ SLACK_BOT_TOKEN: SLACK_TOKEN }, /SLACK_SIGNING_SECRET.*SLACK_APP_TOKEN/],
    [{ SLACK_SIGNING_SECRET: SECRET }, /SLACK_BOT_TOKEN is missing/],
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: SECRET }, /SLACK_BOT_TOKEN must be a bot token/],
    [{ DISCORD_TOKEN }, /DISCORD_APPLICATION_ID is missing/],
    [{ DISCORD_TOKEN, DISCORD_APPLICATION_ID: 'not-a-number' }, /DISCORD_APPLICATION_ID must be the numeric application id/],
    [{ PORT: 'eighty' }, /PORT must be a port number/],
    [{ METRICS_PORT: '70000' }, /METRICS_PORT must be a port number|METRICS_PORT .*65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with file: or postgres:\/\//],
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
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN', 'DATABASE_URL']) expect(settings.get(name)).toBe('');
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
