import { describe, expect, it } from 'vitest';
import { citationLine, DISCORD_LIMITS, embedsSize, escapeText, fitText, renderReply, safeUrl } from '../../src/adapters/discord/render.ts';
import { longDate } from '../../src/knowledge/dates.ts';
import { reply, type Reply } from '../../src/core/reply.ts';
import { CONTRACT_CASES } from '../contract/adapter-contract.ts';
import { messageViolations, unmarkdown, visibleText } from '../fakes/discord.ts';
import { testBot, TEST_CALLER } from '../helpers/bot.ts';
import { cite, sourcedAnswer } from '../helpers/replies.ts';

const HOSTILE =
  '@everyone @here <@123456789012345678> <@&123456789012345678> <#123456789012345678> **bold** __under__ ~~strike~~ ||spoiler|| [click](https://evil.example) # heading';

function big(overrides: Partial<Reply> = {}): Reply {
  return reply({
    command: 'timeline',
    title: 'T'.repeat(1000),
    body: `${'word '.repeat(3000)}`,
    fields: Array.from({ length: 40 }, (_, i) => ({ name: `Field ${i} ${'n'.repeat(300)}`, value: 'v'.repeat(2000), inline: i % 2 === 0 })),
    items: Array.from({ length: 200 }, (_, i) => `${i} ${'item text '.repeat(60)}`),
    notes: Array.from({ length: 20 }, () => 'note '.repeat(400)),
    citations: Array.from({ length: 100 }, (_, i) => ({
      sourceId: `s${i}`,
      title: `Title ${i} ${'t'.repeat(200)}`,
      publisher: `Publisher${i}`,
      published: '2023-09-01',
      url: `https://example.com/${'p'.repeat(300)}/${i}`,
    })),
    asOf: '2023-09-30',
    ...overrides,
  });
}

function expectWithinLimits(r: Reply): void {
  const { message } = renderReply(r);
  expect(messageViolations(message, { requireContent: true })).toEqual([]);
  expect(message.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
  expect(embedsSize(message.embeds)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
  expect(message.allowed_mentions).toEqual({ parse: [] });
}

describe('Discord rendering (Reply → embeds within limits)', () => {
  it('renders every contract answer within limits, with title, facts, sources and the as-of date', async () => {
    const bot = await testBot();
    for (const { text, facts } of CONTRACT_CASES) {
      const r = await bot.handleText(text, TEST_CALLER);
      const { message, omittedCitations } = renderReply(r);
      expectWithinLimits(r);
      const seen = visibleText(message);
      for (const fact of facts) expect(seen, text).toContain(fact);
      // At most three sources, the rest counted; the as-of date in the answer's long style.
      for (const c of r.citations.slice(0, 3)) expect(seen, text).toContain(c.publisher);
      if (r.asOf) expect(message.embeds.at(-1)!.footer!.text).toContain(`As of ${longDate(r.asOf)}`);
      expect(omittedCitations).toBe(Math.max(0, r.citations.length - 3));
      const sources = (message.embeds.at(-1)!.fields ?? []).filter((f) => f.name.startsWith('Sources')).map((f) => f.value);
      expect(sources.join('\n'), text).not.toContain('title not recorded');
    }
  });

  it('a huge reply (10,000-character body, 200 items, 40 fields, 100 sources, 20 notes) fits, trimmed with a note', () => {
    const r = big();
    expectWithinLimits(r);
    const out = renderReply(r);
    expect(out.omittedItems).toBeGreaterThan(0);
    expect(out.omittedCitations).toBeGreaterThan(0);
    const text = visibleText(out.message);
    expect(text).toContain(`${out.omittedItems} more not shown`);
    expect(text).toContain(`…and ${out.omittedCitations} more sources`);
    // The most important parts survive: the first sources and a note.
    expect(text).toContain('Publisher0');
    expect(text).toContain('Note');
    expect(out.message.embeds[0]!.title!.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
  });

  it('a long list continues in further embeds before anything is trimmed', () => {
    const items = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')} ${'e'.repeat(140)}`);
    const r = reply({ command: 'timeline', title: 'Timeline', body: 'b'.repeat(1200), items });
    const out = renderReply(r);
    expectWithinLimits(r);
    expect(out.message.embeds.length).toBeGreaterThan(1);
    expect(out.message.embeds[1]!.title).toBeUndefined();
    expect(out.omittedItems).toBe(0);
    const text = visibleText(out.message);
    for (const item of items) expect(text).toContain(item);
  });

  it('each extreme alone stays within limits', () => {
    const cases: Partial<Reply>[] = [
      { items: [], citations: [], notes: [], fields: [] },
      { body: '', items: [], fields: [], notes: [], citations: [] },
      { body: 'x'.repeat(10_000), items: [], fields: [], notes: [], citations: [] },
      { items: ['i'.repeat(10_000)], body: '', fields: [], notes: [], citations: [] },
      { fields: [{ name: '', value: '' }], items: [], notes: [], citations: [] },
      { citations: [], items: Array.from({ length: 5000 }, () => 'x') },
      { title: '', body: '🇳🇪'.repeat(5000), items: [], fields: [], citations: [] },
      { body: `${'\\'.repeat(5001)}`, items: [], fields: [], citations: [] },
    ];
    for (const c of cases) expectWithinLimits(big(c));
  });

  it('help and errors are ephemeral (flags 64); answers are public', () => {
    expect(renderReply(reply({ command: 'help', title: 'Help', visibility: 'ephemeral', kind: 'help' })).message.flags).toBe(64);
    expect(renderReply(reply({ command: 'x', title: 'Error', visibility: 'ephemeral', kind: 'error' })).message.flags).toBe(64);
    expect(renderReply(reply({ command: 'troops', title: 'Troops' })).message.flags).toBeUndefined();
  });

  it('sources are linked where there is a safe http(s) URL', () => {
    const line = citationLine({ sourceId: 'a', title: 'Report (part 1)', publisher: 'AFP', published: '2023-09-05', url: 'https://example.com/a_(b)' });
    // A day is a Discord timestamp (noon UTC), shown in the reader's locale and time zone.
    expect(line).toBe(`[AFP — Report (part 1)](https://example.com/a_%28b%29) · <t:${Date.UTC(2023, 8, 5, 12) / 1000}:D>`);
    expect(citationLine({ sourceId: 'b', title: 'T', publisher: 'P', published: '2023', url: 'javascript:alert(1)' })).not.toContain('](');
    expect(safeUrl('https://ok.example/x y')).toBeNull();
    expect(safeUrl('http://ok.example/x')).toBe('http://ok.example/x');
    // A bracket in a title cannot end the link label early.
    const tricky = citationLine({ sourceId: 'c', title: '[x](https://evil.example) ]', publisher: 'P', published: '2023', url: 'https://good.example' });
    expect(tricky.match(/(?<!\\)\]\(/g)).toHaveLength(1);
    expect(tricky).toContain('](https://good.example)');
  });

  it('escapes markdown and mention syntax in echoed text, so it shows as typed', () => {
    const escaped = escapeText(HOSTILE);
    expect(escaped).not.toMatch(/(?<!\\)<@&?\d+>/);
    expect(escaped).not.toMatch(/(?<!\\)<#\d+>/);
    expect(escaped).not.toMatch(/@(everyone|here)/);
    expect(escaped).not.toMatch(/(?<!\\)\*\*/);
    expect(escaped).not.toMatch(/(?<!\\)\[click\]\(/);
    expect(escaped).not.toMatch(/(?<!\\)\|\|/);
    expect(escapeText('# heading\n> quote\n- item\n1. one\n-# small')).toBe('\\# heading\n\\> quote\n\\- item\n1\\. one\n\\-# small');
    // What the user reads is what was typed.
    expect(unmarkdown(escaped)).toBe(HOSTILE);
    // Code spans written by commands stay code, and bare URLs stay links.
    expect(escapeText('Try `help troops` or **this**')).toBe('Try `help troops` or \\*\\*this\\*\\*');
    expect(escapeText('AFP — https://example.com/a_b_c*d')).toBe('AFP — https://example.com/a_b_c\\*d');
    expect(escapeText('`<@123456789012345678> @everyone`')).not.toMatch(/<@\d|@everyone/);
  });

  it('cuts without splitting a surrogate pair or leaving a dangling backslash', () => {
    expect(fitText('abcdef', 4)).toBe('abc…');
    expect(fitText('ab😀cd', 4)).toBe('ab…');
    expect(fitText('ab\\*cd', 4)).toBe('ab…');
    expect(fitText('ab\\\\cd', 5)).toBe('ab\\\\…');
    expect(fitText('short', 10)).toBe('short');
  });

  it('hostile replies render within limits and never carry a live mention', async () => {
    const bot = await testBot();
    for (const text of [`ask ${HOSTILE}`, `who ${HOSTILE}`, `help ${HOSTILE}`, `troops ${HOSTILE}`, `ask ${'a'.repeat(10_000)}`, `timeline actor:${HOSTILE}`]) {
      const r = await bot.handleText(text, TEST_CALLER);
      expectWithinLimits(r);
      const json = JSON.stringify(renderReply(r).message);
      expect(json, text).not.toMatch(/(?<!\\\\)<@&?\d+>/);
      expect(json, text).not.toMatch(/@(everyone|here)/);
    }
  });
});

describe('Discord sources: escaping, placeholder titles, three at most, long dates', () => {
  /** The Sources field(s) as sent: the raw markdown Discord receives. */
  const sourcesOf = (r: Reply) =>
    (renderReply(r).message.embeds.at(-1)!.fields ?? [])
      .filter((f) => f.name.startsWith('Sources'))
      .map((f) => f.value)
      .join('\n');
  /**
   * The masked links Discord makes of a value: an unescaped "[", the label up to the first unescaped "]", then
   * "(url)" right after it. A backslash escapes the character after it (so "\\[" is a backslash and a live "[").
   */
  function maskedLinks(value: string): { label: string; url: string }[] {
    const out: { label: string; url: string }[] = [];
    for (let i = 0; i < value.length; i++) {
      if (value[i] === '\\') {
        i += 1;
        continue;
      }
      if (value[i] !== '[') continue;
      let j = i + 1;
      while (j < value.length && value[j] !== ']') j += value[j] === '\\' ? 2 : 1;
      const m = /^\]\((https?:\/\/[^)\s]+)\)/.exec(value.slice(j));
      if (m) {
        out.push({ label: value.slice(i + 1, j), url: m[1]! });
        i = j + m[0].length - 1;
      }
    }
    return out;
  }

  it('a title with square brackets shows them once, with no stray backslash, inside one intact link', () => {
    const value = sourcesOf(sourcedAnswer([cite('RFI', 'Niger: [update] the French withdrawal from Mali', '2024', 'https://rfi.example/a')]));
    expect(value).toBe('[RFI — Niger: \\[update\\] the French withdrawal from Mali](https://rfi.example/a) · 2024');
    expect(maskedLinks(value)).toEqual([{ label: 'RFI — Niger: \\[update\\] the French withdrawal from Mali', url: 'https://rfi.example/a' }]);
    expect(unmarkdown(value)).toBe('RFI — Niger: [update] the French withdrawal from Mali · 2024');
  });

  it.each([
    'x](https://evil.example) [y',
    '[a](https://evil.example)',
    'code `]` (https://evil.example)',
    'see https://evil.example/[a] now',
    'a \\](https://evil.example)',
    '**bold** <@123456789012345678> @everyone ||s|| ]',
  ])('a hostile title "%s" cannot end the link or add one, and shows as typed', (title) => {
    const value = sourcesOf(sourcedAnswer([cite('AFP', title, '2024', 'https://good.example/a')]));
    const links = maskedLinks(value);
    expect(links).toHaveLength(1);
    expect(links[0]!.url).toBe('https://good.example/a');
    expect(value.endsWith('](https://good.example/a) · 2024')).toBe(true);
    expect(unmarkdown(value)).toBe(`AFP — ${title} · 2024`);
    expect(value).not.toMatch(/(?<!\\)<@\d/);
    expect(value).not.toMatch(/@everyone/);
  });

  it('a placeholder title is left out: publisher, date and link only', () => {
    const value = sourcesOf(
      sourcedAnswer([
        cite('KUNA (via MENAFN)', '[report on Macron recalling the ambassador from Niger, title not recorded]', '2024', 'https://menafn.example/1'),
        cite('Südostschweiz', ' [report giving about 1,000 French troops in Niger, title not recorded] ', '2024', null),
        cite('AP', 'Niger [update]', '2024', 'https://ap.example/2'),
      ]),
    );
    expect(value).toBe('[KUNA (via MENAFN)](https://menafn.example/1) · 2024\nSüdostschweiz · 2024\n[AP — Niger \\[update\\]](https://ap.example/2) · 2024');
  });

  it('shows the first three sources in the reply order, then "…and N more sources"', () => {
    const five = ['A', 'BB', 'CCC', 'DDDD', 'EEEEE'].map((p) => cite(p, `Title ${p}`));
    const out = renderReply(sourcedAnswer(five));
    expect(sourcesOf(sourcedAnswer(five))).toBe(
      '[A — Title A](https://example.org/1) · 2024\n[BB — Title BB](https://example.org/2) · 2024\n[CCC — Title CCC](https://example.org/3) · 2024\n…and 2 more sources',
    );
    expect(out.omittedCitations).toBe(2);
    expect(
      sourcesOf(sourcedAnswer(five.slice(0, 4)))
        .split('\n')
        .at(-1),
    ).toBe('…and 1 more source');
    expect(renderReply(sourcedAnswer(five.slice(0, 4))).omittedCitations).toBe(1);
    expect(sourcesOf(sourcedAnswer(five.slice(0, 3)))).not.toContain('more source');
    expect(renderReply(sourcedAnswer(five.slice(0, 3))).omittedCitations).toBe(0);
  });

  it('writes the as-of date in the long style of the answer text, source days as timestamps and months or years in words', () => {
    const footer = (asOf: string) => renderReply(sourcedAnswer([], asOf)).message.embeds.at(-1)!.footer!.text;
    expect(footer('2023-12-22')).toBe('As of 22 December 2023 · Niger Watch');
    expect(footer('2023-09')).toBe('As of September 2023 · Niger Watch');
    expect(footer('2024')).toBe('As of 2024 · Niger Watch');
    const value = sourcesOf(
      sourcedAnswer([cite('Xinhua', 'Last troops leave', '2023-12-23', null), cite('RFI', 'Bases', '2023-10', null), cite('AFP', 'Year', '2024', null)]),
    );
    expect(value).toBe(`Xinhua — Last troops leave · <t:${Date.UTC(2023, 11, 23, 12) / 1000}:D>\nRFI — Bases · October 2023\nAFP — Year · 2024`);
  });

  it('a real answer with five sources: three shown, no placeholder, no stray backslash, one date style', async () => {
    const bot = await testBot();
    const r = await bot.handleText('troops France 2023-09', TEST_CALLER);
    expect(r.citations.length).toBe(5);
    const { message, omittedCitations } = renderReply(r);
    const value = sourcesOf(r);
    const lines = value.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.at(-1)).toBe('…and 2 more sources');
    expect(omittedCitations).toBe(2);
    expect(value).not.toContain('title not recorded');
    expect(unmarkdown(value)).not.toContain('\\');
    expect(value).not.toMatch(/\d{4}-\d{2}/);
    expect(message.embeds.at(-1)!.footer!.text).toBe('As of September 2023 · Niger Watch');
  });
});
