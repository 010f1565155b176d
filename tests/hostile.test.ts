import { describe, expect, it } from 'vitest';
import { renderText } from '../src/core/render-text.ts';
import { MAX_INPUT_CHARS } from '../src/core/sanitize.ts';
import { captureLogger, testBot, TEST_CALLER, TEST_NOW } from './helpers/bot.ts';

/** Small seeded generator so a failing random input can be reproduced. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const PIECES = [
  'troops',
  'ruler',
  'timeline',
  'who',
  'ask',
  'digest',
  'country:',
  'date:',
  'limit:',
  'order:',
  '@everyone',
  '@here',
  '<!channel>',
  '<!here>',
  '<@U123>',
  '<@&123456789012345678>',
  '**bold**',
  '`code`',
  '```',
  '> quote',
  '[link](http://x)',
  '🇳🇪',
  '😀',
  'نيجر',
  'Нигер',
  '尼日尔',
  '\u0000',
  '\u202e',
  '\t',
  '\n',
  '"',
  "'",
  ':',
  '2023-02-30',
  '9999-99-99',
  'France',
  'Narnia',
  'before the coup',
  '?',
  '%s',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal template placeholder is one of the hostile inputs
  '${x}',
  '\\',
  '/niger',
  'DROP TABLE',
  '-1',
  '1e309',
  'NaN',
];

describe('hostile and random input', () => {
  it.each([
    ['empty', ''],
    ['only spaces', '   \t  '],
    ['10,000 characters', 'a'.repeat(10_000)],
    ['10,000 characters after a command', `troops ${'x'.repeat(10_000)}`],
    ['a huge question', `ask ${'how many French troops '.repeat(500)}`],
    ['control characters', 'troops\u0000\u0007\u001b[31m France'],
    ['mentions', '@everyone @here <!channel> <!here> <@U123> <@&123>'],
    ['markdown', '**troops** _France_ ~~now~~ `code` ```block```'],
    ['emoji', '🇫🇷🪖 how many? 🤔'],
    ['another language', 'Combien de soldats français sont au Niger ?'],
    ['right-to-left', 'كم عدد الجنود الفرنسيين في النيجر؟'],
    ['bidi override', '\u202etroops France'],
    ['unknown option', 'troops weird:thing'],
    ['key with no value', 'troops country:'],
    ['only a prefix', '/niger'],
  ])('%s: never throws, always a reply', async (_name, text) => {
    const bot = await testBot();
    const r = await bot.handleText(text, TEST_CALLER);
    expect(typeof r.title).toBe('string');
    expect(r.title.length).toBeGreaterThan(0);
    expect(r.errorId).toBeUndefined();
    const out = renderText(r);
    expect(out).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u202E]/);
    // Echoed user text is bounded: a 10,000-character input never comes back whole.
    expect(out.length).toBeLessThan(MAX_INPUT_CHARS + 4000);
  });

  it('500 random mixtures of commands, options, mentions and junk: no throw, no internal error', async () => {
    const { log, lines } = captureLogger('error');
    const bot = await testBot({ now: () => TEST_NOW, log });
    const next = rng(42);
    for (let i = 0; i < 500; i++) {
      const n = 1 + Math.floor(next() * 8);
      const text = Array.from({ length: n }, () => PIECES[Math.floor(next() * PIECES.length)]).join(next() < 0.7 ? ' ' : '');
      const r = await bot.handleText(text, TEST_CALLER);
      expect(r.errorId, `input: ${JSON.stringify(text)}`).toBeUndefined();
    }
    expect(lines()).toEqual([]);
  });
});

/**
 * Every Unicode bidi formatting character (UAX #9: the marks ALM, LRM, RLM, the embeddings and overrides
 * LRE–RLO with PDF, the isolates LRI–PDI): none may reach a reply from what the user typed, or the quoted
 * text could reorder the reply around it.
 */
const BIDI_CONTROLS = ['\u061C', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
const BIDI_PATTERN = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

describe('bidi controls in echoed input', () => {
  it.each(BIDI_CONTROLS.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, c]))(
    '%s is stripped from user text quoted back in a reply',
    async (_name, c) => {
      const bot = await testBot();
      for (const text of [`fo${c}obar`, `troops colour:r${c}ed`, `troops France ${c}zzz${c} qqq`]) {
        const out = renderText(await bot.handleText(text, TEST_CALLER));
        expect(out, `input ${JSON.stringify(text)}`).not.toMatch(BIDI_PATTERN);
      }
      // The text around the control still comes back, joined: the control is removed, not the word.
      expect(renderText(await bot.handleText(`fo${c}obar`, TEST_CALLER))).toContain('foobar');
    },
  );
});

describe('joiners are part of words', () => {
  it('keeps the zero-width non-joiner and joiner (Persian words, emoji sequences) while stripping the zero-width space', async () => {
    const persian = 'می\u200Cخواهم';
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    const bot = await testBot();
    const out = renderText(await bot.handleText(`troops ${persian}${family}\u200Bx`, TEST_CALLER));
    expect(out).toContain(`${persian}${family}x`);
  });
});
