import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_BOT_SCOPES } from '../../src/adapters/slack/installations.ts';

const manifest = parse(readFileSync(new URL('../../src/adapters/slack/manifest.yaml', import.meta.url), 'utf8')) as {
  features: {
    slash_commands: { command: string; url: string; should_escape: boolean }[];
    bot_user: { display_name: string };
    app_home: { messages_tab_enabled: boolean; messages_tab_read_only_enabled: boolean };
  };
  oauth_config: { redirect_urls: string[]; scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; socket_mode_enabled: boolean };
};

describe('Slack app manifest', () => {
  it('declares /niger, the bot scopes and the events the adapter handles', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/niger']);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'app_mentions:read',
      'channels:history',
      'channels:read',
      'chat:write',
      'chat:write.public',
      'commands',
      'files:write',
      'groups:history',
      'groups:read',
      'im:history',
      'mpim:history',
      'users:read',
    ]);
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([
      'app_home_opened',
      'app_mention',
      'app_uninstalled',
      'message.channels',
      'message.groups',
      'message.im',
      'tokens_revoked',
    ]);
    expect(manifest.features.bot_user.display_name).toBe('Niger Watch');
  });

  it('points HTTP mode at Bolt’s endpoint and lets users DM the bot', () => {
    expect(manifest.features.slash_commands[0]!.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: false });
  });

  it('turns interactivity on, at the same endpoint: the modals and the review buttons need it', () => {
    const settings = manifest.settings as unknown as { interactivity: { is_enabled: boolean; request_url: string } };
    expect(settings.interactivity.is_enabled).toBe(true);
    expect(settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });

  it('OAuth mode: the install asks for exactly the manifest’s bot scopes, and Slack redirects to Bolt’s redirect path', () => {
    expect([...SLACK_BOT_SCOPES].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
    expect(manifest.oauth_config.redirect_urls).toEqual(['https://YOUR-HOST/slack/oauth_redirect']);
  });
});
