// Every answer command, every error a user can reach, `ask` and the digest, in every language: no catalog key
// is missing, no English sentence (the catalog's or the knowledge base's) shows in a French or German answer,
// and every placeholder is filled. Then the headline case through the shell, Slack and Discord.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runShell } from '../../src/adapters/shell/shell.ts';
import type { Bot } from '../../src/core/bot.ts';
import type { Caller } from '../../src/core/command.ts';
import { catalogs } from '../../src/core/i18n.ts';
import { renderText } from '../../src/core/render-text.ts';
import type { Reply } from '../../src/core/reply.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import { startHarness as startDiscord, GUILD_ID, type Harness as DiscordHarness } from '../discord/harness.ts';
import { visibleText as discordText } from '../fakes/discord.ts';
import { visibleText as slackText } from '../fakes/slack.ts';
import { testBot } from '../helpers/bot.ts';
import { slashOverHttp, startHarness as startSlack, type Harness as SlackHarness } from '../slack/harness.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { leakDetector, ownWording, unfilled, type LeakDetector } from './leaks.ts';

/** Answer commands with inputs that reach each of their wordings (now, a date, a period, history, none, …). */
const ANSWERS = [
  'troops',
  'troops France 2023-09',
  'troops France before the coup',
  'troops France after the coup',
  'troops France during the withdrawal',
  "troops France at the time of macron's announcement",
  'troops France a year after the coup',
  'troops France summer 2023',
  'troops France early 2024',
  'troops France end of 2023',
  'troops France after December 2023',
  'troops France before 2023',
  'troops France 2010',
  'troops United States 2024',
  'troops country:Germany show:history',
  'troops Italy now',
  'troops Germany 2023-12',
  'troops France date:when the ambassador left',
  'ruler',
  'ruler June 2023',
  'ruler 2023-07-26',
  'ruler 2010',
  'ruler after the coup',
  'office prime minister 2023-08',
  'office prime minister',
  'office French ambassador now',
  'office French ambassador 2023-09',
  'office prime minister 2020',
  'office person:Tiani',
  'office person:Bazoum',
  'office person:Colonna',
  'who Tiani',
  'who Colonna',
  'who ECOWAS',
  'who CNSP',
  'who Nobody',
  'when the French ambassador left',
  'when Niger left ECOWAS',
  'when bananas',
  'said Colonna',
  'said Nobody',
  'places',
  'places Ouallam',
  'places Niamey',
  'places country:Germany',
  'places Narnia',
  'timeline',
  'timeline 2023-09',
  'timeline topic:withdrawal order:oldest limit:5',
  'timeline actor:Tiani limit:3',
  'timeline from:2010 to:2011',
  'sources',
  'sources Reuters',
  'sources bananas',
];

/** Mistakes a user can make: each is an error reply, worded in the reader's language. */
const ERRORS = [
  'troops Narnia',
  'troops France date:2023-02-30',
  'troops France date:2030',
  'troops France date:bananas',
  'office office:pope',
  'office person:Nobody',
  'timeline topic:bananas',
  'timeline actor:Nobody',
  'timeline from:2024 to:2023',
  'trops France',
  'troops contry:France',
];

/** Questions in each language, and some in English for every reader: answers, yes/no, comparisons and declines. */
const QUESTIONS: Record<string, string[]> = {
  en: [
    'how many French soldiers are in Niger?',
    'are there still american troops in niger?',
    'was the AES founded before the french ambassador left?',
    'who was prime minister when the french ambassador left?',
    'how many french and american troops were in niger in september 2023?',
    'how many Russian soldiers are in Niger?',
    'who leads Mali?',
    'what will happen next year?',
    'how many people died in the coup?',
    'tiani',
    'CEDEAO',
    'help',
  ],
  fr: [
    'l’armée française est-elle partie ?',
    'combien de soldats français au Niger en septembre 2023 ?',
    'quand l’ambassadeur de France est-il parti ?',
    'qui dirige le Niger ?',
    'qui est Colonna ?',
    'qu’a dit Colonna ?',
    'où étaient stationnés les soldats français ?',
    'qui est le président du Burkina Faso ?',
    'combien de victimes lors du coup d’État ?',
    'que va-t-il se passer l’année prochaine ?',
    'le retrait français a-t-il eu lieu avant la création de l’AES ?',
    'qui était Premier ministre quand l’ambassadeur de France est parti ?',
  ],
  de: [
    'ist die französische Armee abgezogen?',
    'Wie viele französische Soldaten waren im September 2023 im Niger?',
    'Wann hat der französische Botschafter Niamey verlassen?',
    'Wer regiert den Niger?',
    'Wer ist Colonna?',
    'Was hat Colonna gesagt?',
    'Wo waren französische Soldaten stationiert?',
    'Wer regiert Mali?',
    'Wie viele Tote gab es beim Putsch?',
    'Sind noch US-Soldaten im Niger?',
    'Wurde die AES vor dem Abzug der Franzosen gegründet?',
  ],
};

const LANGS = catalogs().languages();

let db: TestDb;
let bot: Bot;
const detectors = new Map<string, LeakDetector>();

/** Every catalog key a reply in `lang` was worded with, recorded while it is computed. */
const used = new Map<string, Set<string>>();

beforeAll(async () => {
  db = await sqliteBackend.open();
  bot = await testBot({ services: { digest: new StoreDigestService(db.store, () => bot.kb) }, answerCacheSize: 0 });
  // Every knowledge-base text counts, translated or not: a French answer shows none of the English.
  for (const lang of LANGS) detectors.set(lang, leakDetector(bot.kb, lang, 'all'));
  const all = catalogs();
  const t = all.t.bind(all);
  vi.spyOn(all, 't').mockImplementation((lang, key, params) => {
    let keys = used.get(lang);
    if (!keys) used.set(lang, (keys = new Set()));
    keys.add(key);
    return t(lang, key, params);
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await db?.cleanup();
});

const caller = (lang: string): Caller => ({
  platform: 'test',
  userId: `U-${lang}`,
  channelId: `C-answers-${lang}`,
  canManageChannel: async () => true,
  locale: () => lang,
});

function expectWordedIn(lang: string, r: Reply, where: string): void {
  expect(r.lang, `${where}: language`).toBe(lang);
  expect(r.errorId, `${where}: internal error`).toBeUndefined();
  const text = renderText(r);
  expect(unfilled(text), `${where}: unfilled placeholder`).toEqual([]);
  expect(text, `${where}: unformatted parameter`).not.toMatch(/‹|undefined|\[object Object\]/);
  if (lang !== 'en') expect(detectors.get(lang)!.leaks(ownWording(r)), `${where}: English in a ${lang} answer`).toEqual([]);
}

it('the check can fail: it finds English catalog sentences and English knowledge-base text', () => {
  const event = bot.kb.eventsById.get('last-french-troops-leave-2023-12-22')!;
  const fr = detectors.get('fr')!;
  expect(fr.leaks(`22 décembre 2023 : ${event.title}.`)).not.toEqual([]);
  expect(fr.leaks(`22 décembre 2023 : ${bot.kb.localized('events', event, 'fr').title}.`)).toEqual([]);
  expect(fr.leaks('Il n’y a plus de militaires français. The newest sourced figure is none.')).not.toEqual([]);
});

describe.each(LANGS)('in %s', (lang) => {
  it('every answer command', async () => {
    for (const line of ANSWERS) {
      const r = await bot.handleText(line, caller(lang));
      expect(r.kind, line).toBe('answer');
      expectWordedIn(lang, r, line);
    }
  });

  it('every error a user can reach', async () => {
    for (const line of ERRORS) {
      const r = await bot.handleText(line, caller(lang));
      expect(r.kind, line).toBe('error');
      expectWordedIn(lang, r, line);
    }
  });

  it('ask: questions in this language, and in English, answered in this language', async () => {
    for (const question of [...QUESTIONS[lang]!, ...QUESTIONS.en!]) {
      const r = await bot.run('ask', { question }, caller(lang));
      expectWordedIn(lang, r, question);
    }
  });

  it('the digest', async () => {
    const r = await bot.handleText(`digest preview lang:${lang}`, caller(lang));
    expectWordedIn(lang, r, 'digest preview');
  });

  it('used no catalog key this language lacks', () => {
    const keys = [...(used.get(lang) ?? [])];
    expect(keys.length).toBeGreaterThan(100);
    expect(keys.filter((k) => !catalogs().has(lang, k))).toEqual([]);
  });
});

it('organisations and places are named in the answer’s language', async () => {
  const bot = await testBot();
  const ecowas = await bot.run('who', { name: 'ECOWAS' }, caller('fr'));
  expect(ecowas.title).toMatch(/^CEDEAO/);
  const aes = await bot.run('who', { name: 'AES' }, caller('de'));
  expect(aes.title).toBe('Allianz der Sahelstaaten (AES)');
  const base = await bot.run('places', { place: 'Air Base 101' }, caller('fr'));
  expect(base.title).toBe('Base aérienne 101, Niamey');
  // Facts keep the knowledge base's own names.
  expect(base.facts).toContainEqual(expect.objectContaining({ type: 'place', name: 'Air Base 101, Niamey' }));
  const en = await bot.run('who', { name: 'ECOWAS' }, caller('en'));
  expect(en.title).toBe('ECOWAS');
});

it('a question clearly in French or German is answered in it, whoever asks; lang: wins', async () => {
  for (const lang of ['fr', 'de']) {
    for (const question of QUESTIONS[lang]!) expect((await bot.run('ask', { question }, caller('en'))).lang, question).toBe(lang);
  }
  expect((await bot.run('ask', { question: QUESTIONS.fr![0]!, lang: 'de' }, caller('en'))).lang).toBe('de');
});

/** The headline: a francophone desk asks whether the French army has left; a German desk the same. */
const HEADLINE = {
  fr: { question: 'l’armée française est-elle partie ?', date: '22 décembre 2023' },
  de: { question: 'ist die französische Armee abgezogen?', date: '22. Dezember 2023' },
} as const;

/** One input for each answer command, as typed in Slack and as Discord options. */
const ADAPTER_COMMANDS: { text: string; path: string; options: Record<string, string> }[] = [
  { text: 'troops France 2023-09', path: 'troops', options: { country: 'France', date: '2023-09' } },
  { text: 'ruler June 2023', path: 'ruler', options: { date: 'June 2023' } },
  { text: 'office prime minister', path: 'office', options: { office: 'prime minister' } },
  { text: 'who Tiani', path: 'who', options: { name: 'Tiani' } },
  { text: 'when the French ambassador left', path: 'when', options: { event: 'the French ambassador left' } },
  { text: 'said Colonna', path: 'said', options: { person: 'Colonna' } },
  { text: 'places', path: 'places', options: {} },
  { text: 'timeline', path: 'timeline', options: {} },
  { text: 'sources', path: 'sources', options: {} },
  { text: 'help', path: 'help', options: {} },
];

/** Quotes are shown as said (« … », “ … ”), and are no leak. */
function withoutQuotes(text: string): string {
  return text
    .replace(/«[^»]*»/g, '')
    .replace(/“[^”]*”/g, '')
    .replace(/„[^“]*“/g, '');
}

describe('the headline question', () => {
  it.each(['fr', 'de'] as const)('through the shell, in %s, with its date and source', async (lang) => {
    const { question, date } = HEADLINE[lang];
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d) => (printed += String(d)));
    // The shell's own language is English: the question's decides.
    const done = runShell(bot, { input, output, lang: 'en' });
    input.end(`ask ${question}\n`);
    await done;
    expect(printed).toContain(date);
    const answer = await bot.run('ask', { question }, caller('en'));
    expect(answer.lang).toBe(lang);
    expect(answer.facts).toContainEqual(expect.objectContaining({ type: 'event', date: '2023-12-22' }));
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(printed).toContain(answer.citations[0]!.publisher);
    expect(printed).toContain(lang === 'fr' ? 'Sources :' : 'Quellen:');
  });

  describe('through Slack', () => {
    let h: SlackHarness;
    beforeAll(async () => {
      h = await startSlack(bot, {
        fake: {
          users: [
            { id: 'U0DESKFR', locale: 'fr-FR' },
            { id: 'U0DESKDE', locale: 'de-DE' },
          ],
        },
        logLevel: 'warn',
      });
    });
    afterAll(async () => {
      await h?.close();
    });

    it.each(['fr', 'de'] as const)('every answer command, for a desk whose Slack is in %s, in that language', async (lang) => {
      for (const text of ADAPTER_COMMANDS.map((c) => c.text)) {
        const answer = await slashOverHttp(h, text, { user_id: lang === 'fr' ? 'U0DESKFR' : 'U0DESKDE', channel_id: 'C0DESKFR' });
        const shown = slackText(answer.message as { blocks?: unknown });
        expect(shown.length, text).toBeGreaterThan(0);
        expect(detectors.get(lang)!.leaks(withoutQuotes(shown)), `${lang}: ${text}`).toEqual([]);
        expect(unfilled(shown), `${lang}: ${text}`).toEqual([]);
      }
    });

    it('a French desk gets a French answer', async () => {
      const answer = await slashOverHttp(h, `ask ${HEADLINE.fr.question}`, { user_id: 'U0DESKFR', channel_id: 'C0DESKFR' });
      const text = slackText(answer.message as { blocks?: unknown });
      expect(text).toContain(HEADLINE.fr.date);
      expect(text).toContain('Sources');
      expect(detectors.get('fr')!.leaks(text.replace(/«[^»]*»/g, ''))).toEqual([]);
    });
  });

  describe('through Discord', () => {
    let h: DiscordHarness;
    beforeAll(async () => {
      h = await startDiscord(bot);
    });
    afterAll(async () => {
      await h?.close();
    });

    it.each(['fr', 'de'] as const)('every answer command, for a member whose Discord is in %s, in that language', async (lang) => {
      for (const { path, options } of ADAPTER_COMMANDS) {
        const sent = h.fake.dispatchInteraction({
          path,
          options,
          guildId: GUILD_ID,
          channelId: '1190000000777000901',
          userId: '1190000000000999001',
          locale: lang,
          guildLocale: lang,
        });
        const shown = discordText((await sent.result()).message);
        expect(shown.length, path).toBeGreaterThan(0);
        expect(detectors.get(lang)!.leaks(withoutQuotes(shown)), `${lang}: ${path}`).toEqual([]);
        expect(unfilled(shown), `${lang}: ${path}`).toEqual([]);
      }
    });

    it('a French desk gets a French answer', async () => {
      const sent = h.fake.dispatchInteraction({
        path: 'ask',
        options: { question: HEADLINE.fr.question },
        guildId: GUILD_ID,
        channelId: '1190000000777000901',
        userId: '1190000000000999001',
        locale: 'fr',
        guildLocale: 'fr',
      });
      const text = discordText((await sent.result()).message);
      expect(text).toContain(HEADLINE.fr.date);
      expect(text).toContain('Sources');
      expect(detectors.get('fr')!.leaks(text.replace(/«[^»]*»/g, ''))).toEqual([]);
    });
  });
});
