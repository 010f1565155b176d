// Every structured command that is localised, in every language, through the real adapters: help, errors
// (unknown command, "did you mean", bad date), a permission refusal, digest subscribe/status/preview, and a
// French digest delivered end to end. In French and German output no English catalog sentence may appear.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness as startDiscord, GUILD_ID, type Harness as DiscordHarness } from '../discord/harness.ts';
import { runShell } from '../../src/adapters/shell/shell.ts';
import type { Bot } from '../../src/core/bot.ts';
import type { Caller } from '../../src/core/command.ts';
import { renderText } from '../../src/core/render-text.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import { MANAGE_CHANNELS, visibleText as discordText } from '../fakes/discord.ts';
import { visibleText as slackText } from '../fakes/slack.ts';
import { makeScheduler } from '../digest/helpers.ts';
import { testBot } from '../helpers/bot.ts';
import { slashOverHttp, startHarness as startSlack, type Harness as SlackHarness } from '../slack/harness.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { catalogLeaks, englishCatalogSentences, unfilled } from './leaks.ts';

const ENGLISH = englishCatalogSentences();

function expectNoEnglish(text: string, where: string): void {
  expect(catalogLeaks(text), `${where} has English text`).toEqual([]);
  expect(unfilled(text), `${where} has an unfilled placeholder`).toEqual([]);
}

/** What each language must say (a few words of each answer), to show it is that language and not English. */
const EXPECT = {
  en: {
    help: 'Niger Watch — help',
    typo: 'There is no command "trops". Did you mean `troops`?',
    badDate: '"2023-02-30" is not a real date.',
    badTime: '"25:99" is not a time of day I can use.',
    refused: 'Only people who can manage this channel may change its digest',
    subscribed: 'Daily digest turned on',
    next: 'Monday 30 November 2026, 08:00 Africa/Niamey',
    statusOn: 'Daily digest — on',
    digest: 'Niger Watch daily digest — 30 November 2026',
    troops: /none — as of 22 December 2023/,
    sources: 'Sources',
  },
  fr: {
    help: 'Niger Watch — aide',
    typo: 'La commande « trops » n’existe pas. Vouliez-vous dire `troops` ?',
    badDate: '« 2023-02-30 » n’est pas une date qui existe.',
    badTime: '« 25:99 » n’est pas une heure que je peux utiliser.',
    refused: 'Seules les personnes qui peuvent gérer ce salon peuvent modifier son résumé',
    subscribed: 'Résumé quotidien activé',
    next: 'lundi 30 novembre 2026 à 08:00 Africa/Niamey',
    statusOn: 'Résumé quotidien — activé',
    digest: 'Résumé quotidien Niger Watch — 30 novembre 2026',
    troops: /France — effectifs[\s:]*aucun soldat — date du chiffre : 22 décembre 2023/,
    sources: 'Sources',
  },
  de: {
    help: 'Niger Watch — Hilfe',
    typo: 'Den Befehl „trops“ gibt es nicht. Meinten Sie `troops`?',
    badDate: '„2023-02-30“ ist kein gültiges Datum.',
    badTime: '„25:99“ ist keine Uhrzeit, die ich verwenden kann.',
    refused: 'Nur wer diesen Kanal verwalten darf, kann seine Übersicht ändern',
    subscribed: 'Tägliche Übersicht eingeschaltet',
    next: 'Montag, 30. November 2026 um 08:00 Africa/Niamey',
    statusOn: 'Tägliche Übersicht — an',
    digest: 'Tägliche Übersicht von Niger Watch — 30. November 2026',
    troops: /keine Soldaten — Stand: 22\. Dezember 2023/,
    sources: 'Quellen',
  },
} as const;

type Lang = keyof typeof EXPECT;
const LANGS: Lang[] = ['en', 'fr', 'de'];

let db: TestDb;
let bot: Bot;

beforeAll(async () => {
  db = await sqliteBackend.open();
  bot = await testBot({ services: { digest: new StoreDigestService(db.store, () => bot.kb) } });
});
afterAll(async () => {
  await db?.cleanup();
});

it('finds English sentences to look for (the check below can fail)', () => {
  expect(ENGLISH).toContain('Did you mean');
  expect(ENGLISH).toContain('Only people who can manage this channel may change its digest');
  expect(ENGLISH.length).toBeGreaterThan(60);
});

describe.each(LANGS)('in %s', (lang) => {
  const e = EXPECT[lang];
  const leakCheck = (text: string, where: string) => (lang === 'en' ? undefined : expectNoEnglish(text, where));

  it('the shell (--lang) answers help, errors and digest commands', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d) => (printed += String(d)));
    const done = runShell(bot, { input, output, lang });
    for (const line of ['help', 'trops France', 'troops date:2023-02-30', 'digest subscribe', 'digest status', 'digest preview']) input.write(`${line}\n`);
    input.end();
    await done;
    // The shell has one channel: leave it unsubscribed for the next language.
    await bot.handleText('digest unsubscribe', { platform: 'shell', userId: 'local-user', channelId: 'local', canManageChannel: async () => true });
    for (const text of [e.help, e.typo, e.badDate, e.subscribed, e.next, e.statusOn, e.digest]) expect(printed).toContain(text);
    expect(printed).toMatch(e.troops);
    leakCheck(printed, 'the shell session');
  });

  it('a permission refusal, and the language set by lang: on the command, over the caller’s', async () => {
    const member: Caller = { platform: 'test', userId: 'U-member', channelId: `C-${lang}`, canManageChannel: async () => false, locale: () => 'en-US' };
    const r = await bot.handleText(`digest subscribe lang:${lang}`, member);
    expect(r.kind).toBe('error');
    expect(r.lang).toBe(lang);
    expect(renderText(r)).toContain(e.refused);
    leakCheck(renderText(r), 'the refusal');
    const admin: Caller = { ...member, canManageChannel: async () => true };
    const badTime = await bot.handleText(`digest subscribe time:25:99 lang:${lang}`, admin);
    expect(badTime.body).toContain(e.badTime);
    leakCheck(renderText(badTime), 'a bad time of day');
    // Structured options take it the same way.
    const help = await bot.run('help', { lang }, member);
    expect(help.title).toBe(e.help);
  });

  describe('through Slack (the user’s locale from users.info)', () => {
    let h: SlackHarness;
    const ADMIN = `U0ADMIN${lang.toUpperCase()}`;
    const MEMBER = `U0MEMBER${lang.toUpperCase()}`;
    const CHANNEL = `C0LANG${lang.toUpperCase()}`;
    const locale = { en: 'en-GB', fr: 'fr-FR', de: 'de-DE' }[lang];
    beforeAll(async () => {
      h = await startSlack(bot, {
        adminUserIds: [ADMIN],
        fake: {
          users: [
            { id: ADMIN, locale },
            { id: MEMBER, locale },
          ],
        },
        logLevel: 'warn',
      });
    });
    afterAll(async () => {
      await h?.close();
    });
    const slash = async (text: string, user: string) =>
      slackText((await slashOverHttp(h, text, { user_id: user, channel_id: CHANNEL })).message as { blocks?: unknown });

    it('help, a typo, a refusal, subscribe, status and preview; the digest is posted in the channel’s language', async () => {
      expect(await slash('help', MEMBER)).toContain(e.help);
      expect(await slash('trops France', MEMBER)).toContain(e.typo);
      const refused = await slash('digest subscribe', MEMBER);
      expect(refused).toContain(e.refused);
      const ok = await slash('digest subscribe time:08:00 timezone:Africa/Niamey', ADMIN);
      expect(ok).toContain(e.subscribed);
      expect(ok).toContain(e.next);
      expect(await db.store.getSubscription({ platform: 'slack', channelId: CHANNEL })).toMatchObject({ lang });
      const status = await slash('digest status', MEMBER);
      expect(status).toContain(e.statusOn);
      const preview = await slash('digest preview', MEMBER);
      expect(preview).toContain(e.digest);
      expect(preview).toMatch(e.troops);

      const scheduler = makeScheduler(db.store, [h.slack.poster], { kb: bot.kb });
      await scheduler.tick(new Date('2026-11-30T07:00:00Z'));
      await scheduler.tick(new Date('2026-11-30T07:01:00Z'));
      const posted = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL);
      expect(posted).toHaveLength(1);
      const digest = slackText(posted[0]!.args as { blocks?: unknown });
      expect(digest).toContain(e.digest);
      expect(digest).toContain(e.sources);
      // The preview was exactly the digest.
      expect(preview).toBe(digest);
      for (const [what, text] of Object.entries({ refused, ok, status, digest })) leakCheck(text, `Slack ${what}`);
    });
  });

  describe('through Discord (the interaction’s locale; digests default to the server’s)', () => {
    let h: DiscordHarness;
    const CHANNEL = `11900000007770${String(LANGS.indexOf(lang)).padStart(2, '0')}1`;
    // Discord's locales: "fr", "de", "en-GB".
    const locale = { en: 'en-GB', fr: 'fr', de: 'de' }[lang];
    beforeAll(async () => {
      h = await startDiscord(bot);
    });
    afterAll(async () => {
      await h?.close();
    });
    const command = async (path: string, options: Record<string, string>, manager: boolean, userLocale = locale) => {
      const sent = h.fake.dispatchInteraction({
        path,
        options,
        guildId: GUILD_ID,
        channelId: CHANNEL,
        userId: manager ? '1190000000000888001' : '1190000000000888002',
        locale: userLocale,
        guildLocale: locale,
        ...(manager ? { permissions: MANAGE_CHANNELS } : {}),
      });
      return discordText((await sent.result()).message);
    };

    it('help, a bad date, a refusal, subscribe, status and preview', async () => {
      expect(await command('help', {}, false)).toContain(e.help);
      expect(await command('troops', { date: '2023-02-30' }, false)).toContain(e.badDate);
      const refused = await command('digest subscribe', {}, false);
      expect(refused).toContain(e.refused);
      // An English-speaking manager subscribes: the reply is in English, the digest in the server's language.
      const ok = await command('digest subscribe', { time: '08:00', timezone: 'Africa/Niamey' }, true, 'en-US');
      expect(ok).toContain(EXPECT.en.subscribed);
      expect(await db.store.getSubscription({ platform: 'discord', channelId: CHANNEL })).toMatchObject({ lang });
      const status = await command('digest status', {}, false);
      expect(status).toContain(e.statusOn);
      const preview = await command('digest preview', {}, false, 'en-US');
      expect(preview).toContain(e.digest);
      expect(preview).toMatch(e.troops);
      for (const [what, text] of Object.entries({ refused, status, preview })) leakCheck(text, `Discord ${what}`);
    });
  });
});

it('an unsupported language reads English; lang: with an unknown language is refused in the caller’s', async () => {
  const spanish: Caller = { platform: 'test', userId: 'u', channelId: 'c', canManageChannel: async () => true, locale: () => 'es-ES' };
  expect((await bot.handleText('help', spanish)).title).toBe(EXPECT.en.help);
  const french: Caller = { ...spanish, locale: () => 'fr-CA' };
  const refused = await bot.handleText('help lang:xx', french);
  expect(refused.kind).toBe('error');
  expect(refused.body).toContain('`lang` doit valoir l’une de ces langues : en, de, fr');
});

it('the answer cache keeps one answer per language', async () => {
  const caller = (locale: string): Caller => ({ platform: 'test', userId: 'u', channelId: 'c', canManageChannel: async () => true, locale: () => locale });
  const en = await bot.handleText('ruler', caller('en'));
  const fr = await bot.handleText('ruler', caller('fr'));
  expect(en.lang).toBe('en');
  expect(fr.lang).toBe('fr');
  expect(bot.knownAnswer('ruler', 'fr')).toBe(fr);
  expect(bot.knownAnswer('ruler', 'en-GB')).toBe(en);
  expect(renderText(fr)).toContain('Date de référence');
  expect(renderText(en)).toContain('As of');
});
