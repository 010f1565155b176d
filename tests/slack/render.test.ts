import { beforeAll, describe, expect, it } from 'vitest';
import { escapeSlack, incomingText, mrkdwnLiteral, slackLink, unescapeSlack } from '../../src/adapters/slack/escape.ts';
import { chunkEscaped, fitEscaped, renderReply, SLACK_LIMITS } from '../../src/adapters/slack/render.ts';
import type { Bot } from '../../src/core/bot.ts';
import { renderText } from '../../src/core/render-text.ts';
import { reply, type Reply } from '../../src/core/reply.ts';
import { checkMessage, displayText, rawTexts, visibleText } from '../fakes/slack.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { cite, sourcedAnswer } from '../helpers/replies.ts';

type Json = Record<string, unknown>;
const blocksOf = (r: Reply) => renderReply(r).blocks as unknown as Json[];

/** Every text object in the rendered blocks, with its type. */
function textObjects(r: Reply): { type: string; text: string }[] {
  const out: { type: string; text: string }[] = [];
  for (const b of blocksOf(r) as {
    text?: { type: string; text: string };
    fields?: { type: string; text: string }[];
    elements?: { type: string; text: string }[];
  }[]) {
    if (b.text) out.push(b.text);
    out.push(...(b.fields ?? []), ...(b.elements ?? []));
  }
  return out;
}

const HOSTILE = '<!channel> <!here> <!everyone> <@U123> <#C999|general> <https://evil.example|click> & *bold* _x_ ~y~ `code`';

describe('escaping', () => {
  it('escapes only &, < and >, and unescaping restores the text', () => {
    expect(escapeSlack('a & b <c> "d" \'e\'')).toBe('a &amp; b &lt;c&gt; "d" \'e\'');
    expect(unescapeSlack(escapeSlack(HOSTILE))).toBe(HOSTILE);
    expect(escapeSlack('&amp;')).toBe('&amp;amp;');
  });

  it('neutralises mrkdwn formatting in literal text and never leaves markup', () => {
    const s = mrkdwnLiteral(HOSTILE);
    expect(s).not.toMatch(/[<>*_~`]/);
    expect(s).toContain('&lt;!channel&gt;');
  });

  it('links only http(s) URLs that cannot break out of <url|label>', () => {
    expect(slackLink('https://example.org/a?b=1&c=2', 'AFP *x*')).toBe('<https://example.org/a?b=1&amp;c=2|AFP \u2217x\u2217>');
    for (const bad of ['javascript:alert(1)', 'https://x.org/|<!channel>', 'https://x.org/>', 'https://x .org', 'ftp://x.org', '']) {
      const link = slackLink(bad, 'label <!here>');
      expect(link).toBe('label &lt;!here&gt;');
    }
    expect(slackLink(undefined, 'Reuters')).toBe('Reuters');
  });

  it('turns incoming Slack text into what the user typed, without the bot mention', () => {
    expect(incomingText('<@UBOT> how many French troops are left?', 'UBOT')).toBe('how many French troops are left?');
    expect(incomingText('<@UBOT|niger-watch> troops', 'UBOT')).toBe('troops');
    expect(incomingText('who is &lt;b&gt; &amp; co', 'UBOT')).toBe('who is <b> & co');
    expect(incomingText('ask <@U1|ann> <#C1|general> <!here> <!subteam^S1|@team> <https://a.org|a.org> <mailto:x@y.z>', 'UBOT')).toBe(
      'ask @ann #general @here @team a.org mailto:x@y.z',
    );
    // An escaped "<!channel>" typed by the user reaches the core as text (and is escaped again on the way out).
    expect(incomingText('who &lt;!channel&gt;')).toBe('who <!channel>');
  });

  it('cuts escaped text without splitting an entity or a surrogate pair', () => {
    const s = fitEscaped('&&&&&&&&&&', 12);
    expect(s.length).toBeLessThanOrEqual(12);
    expect(s).toMatch(/^(&amp;)+…$/);
    expect(fitEscaped('ab😀cd', 4)).toBe('ab…');
    for (const chunk of chunkEscaped(`${'<&> '.repeat(3000)}end`, 3000)) {
      expect(chunk.length).toBeLessThanOrEqual(3000);
      expect(chunk).not.toMatch(/&[a-z]*$/);
      expect(chunk).not.toMatch(/^[a-z]*;/);
    }
  });
});

/** Slack's date token, as the renderer writes it: `<!date^UNIX^{date_long}|fallback>`. */
const DATE_TOKEN = /^<!date\^\d+\^\{date_long\}\|[^<>|]*>$/;

describe('Block Kit rendering', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await testBot();
  });

  it('renders an answer as header, body, fields, notes and a context line with the date and linked sources', async () => {
    const r = await bot.handleText('troops France 2023-09', TEST_CALLER);
    const blocks = blocksOf(r);
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: escapeSlack(r.title), emoji: false } });
    const text = visibleText({ blocks });
    expect(text).toContain('1,500');
    expect(blocks.some((b) => Array.isArray(b.fields) && (b.fields as Json[]).length === r.fields.length)).toBe(true);
    const context = blocks
      .filter((b) => b.type === 'context')
      .map((b) => ((b.elements as Json[])[0] as { text: string }).text)
      .join('\n');
    expect(r.asOf).toBe('2023-09');
    expect(context).toContain('As of September 2023');
    // The first three sources, then a count of the rest.
    expect(r.citations.length).toBe(5);
    for (const c of r.citations.slice(0, 3)) {
      expect(context).toContain(escapeSlack(c.publisher));
      if (c.url) expect(context).toContain(`<${escapeSlack(c.url)}|`);
    }
    for (const c of r.citations.slice(3)) expect(context).not.toContain(escapeSlack(c.publisher));
    expect(context).toContain('…and 2 more sources');
    expect(context).not.toContain('title not recorded');
    expect(renderReply(r).text).toBe(fitEscaped(renderText(r), SLACK_LIMITS.fallbackText));
    expect(checkMessage({ blocks, text: renderReply(r).text })).toBeUndefined();
  });

  it('sends reply text as escaped plain_text; fields and the sources line are mrkdwn shown literally, with our own bold labels, links and date as the only markup', () => {
    const r = reply({
      command: 'who',
      title: 'Who is <!channel> & *b*?',
      body: `I have no sourced information about "${HOSTILE}".`,
      fields: [{ name: `Name ${HOSTILE}`, value: HOSTILE }],
      items: [HOSTILE],
      notes: [HOSTILE],
      citations: [{ sourceId: 's', title: HOSTILE, publisher: 'AFP *wire*', published: '2023-09-05', url: 'https://example.org/?a=1&b=2' }],
      asOf: '2023-09-05',
    });
    const objects = textObjects(r);
    for (const o of objects) {
      const markup = o.text.match(/<[^>]*>/g) ?? [];
      if (o.type === 'plain_text') expect(markup).toEqual([]);
      else expect(markup.every((m) => m.startsWith('<https://example.org/?a=1&amp;b=2|') || DATE_TOKEN.test(m))).toBe(true);
      expect(o.text).not.toMatch(/<[@#]|<!(?!date\^)/);
    }
    for (const raw of rawTexts(renderReply(r))) expect(raw).not.toMatch(/<[@#]|<!(?!date\^)/);
    const fields = objects.filter((o) => o.type === 'mrkdwn' && o.text.startsWith('*'));
    expect(fields.map((o) => o.text.slice(0, 6))).toEqual(['*Name ']);
    const mrkdwn = objects
      .filter((o) => o.type === 'mrkdwn')
      .map((o) => o.text.replace(/<[^|>]*\|/g, '').replace(/^\*([^*]+)\*/, '$1'))
      .join('');
    expect(mrkdwn).not.toMatch(/[*_~`]/);
    // The user sees exactly what was typed in the plain-text parts.
    const seen = visibleText(renderReply(r));
    expect(seen).toContain('Who is <!channel> & *b*?');
    expect(seen).toContain(`I have no sourced information about "${HOSTILE}".`);
    expect(seen).toContain(`• ${HOSTILE}`);
  });

  it('keeps a 10,000-character echo within the limits', () => {
    const long = `${HOSTILE} ${'x'.repeat(10_000)}`;
    const r = reply({ command: 'who', title: `Who is ${long}?`, body: long, fields: [{ name: 'Name', value: long }], notes: [long] });
    const m = renderReply(r);
    expect(checkMessage(m as unknown as Json)).toBeUndefined();
    const header = (m.blocks[0] as { text: { text: string } }).text.text;
    expect(header.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(header.endsWith('…')).toBe(true);
    expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  });

  it.each(['timeline limit:50', 'sources limit:100', 'timeline order:oldest limit:50', 'help'])(
    'keeps the real oversized answer "%s" within every limit and says what it left out',
    async (text) => {
      const r = await bot.handleText(text, TEST_CALLER);
      expect(r.kind).not.toBe('error');
      const m = renderReply(r);
      expect(checkMessage(m as unknown as Json)).toBeUndefined();
      expect(JSON.stringify(m.blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.blocksJson);
      const seen = visibleText(m);
      const shownItems = r.items.filter((i) => seen.includes(`• ${displayText(fitEscaped(i, 3000))}`.slice(0, 200))).length;
      expect(shownItems).toBe(r.items.length - m.omittedItems);
      if (m.omittedItems > 0) expect(seen).toContain(`…${m.omittedItems} more not shown`);
      if (m.omittedCitations > 0) expect(seen).toContain(`…and ${m.omittedCitations} more source`);
      expect(shownItems).toBeGreaterThan(0);
    },
  );

  it('trims synthetic worst cases (hundreds of long items, long body, many citations) and never exceeds a limit', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const text = (n: number) => Array.from({ length: n }, () => 'ab&<> *_~`é😀 '[Math.floor(rand() * 14)]).join('');
    for (let i = 0; i < 30; i++) {
      const r = reply({
        command: 'timeline',
        title: text(Math.floor(rand() * 400)) || 'T',
        body: text(Math.floor(rand() * 9000)),
        fields: Array.from({ length: Math.floor(rand() * 25) }, () => ({ name: text(30), value: text(Math.floor(rand() * 2500)) })),
        items: Array.from({ length: Math.floor(rand() * 400) }, () => text(Math.floor(rand() * 3500))),
        notes: Array.from({ length: Math.floor(rand() * 4) }, () => text(200)),
        citations: Array.from({ length: Math.floor(rand() * 120) }, (_, k) => ({
          sourceId: `s${k}`,
          title: text(Math.floor(rand() * 300)),
          publisher: text(20) || 'P',
          published: '2023-09-05',
          ...(rand() > 0.5 ? { url: `https://example.org/${k}?q=${text(5)}` } : {}),
        })),
        asOf: '2023-09-05',
      });
      const m = renderReply(r);
      expect(checkMessage(m as unknown as Json), `case ${i}`).toBeUndefined();
      expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
      expect(JSON.stringify(m.blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.blocksJson);
      if (r.items.length > 0 && m.omittedItems === r.items.length) {
        // Nothing of the list fitted: only possible when the rest of the answer fills the message.
        expect(JSON.stringify(m.blocks).length).toBeGreaterThan(SLACK_LIMITS.blocksJson - 1000);
      }
    }
  });

  it('renders help and errors without a context line, and never an empty text object', async () => {
    for (const text of ['help', 'troops country:Narnia', 'nonsense-command x']) {
      const r = await bot.handleText(text, TEST_CALLER);
      const m = renderReply(r);
      expect(checkMessage(m as unknown as Json)).toBeUndefined();
      if (!r.citations.length && !r.asOf) expect(m.blocks.some((b) => b.type === 'context')).toBe(false);
    }
  });
});

describe('Slack sources: placeholder titles, three at most, long dates', () => {
  /** The context line(s) as sent (mrkdwn), a date token as its fallback (what the tests compare). */
  const contextOf = (r: Reply) =>
    blocksOf(r)
      .filter((b) => b.type === 'context')
      .map((b) => ((b.elements as Json[])[0] as { text: string }).text.replace(/<!date\^\d+\^\{date_long\}\|([^>]*)>/g, '$1'))
      .join('\n');

  it('a day as-of is a Slack date token (local to the reader) with the long date as its fallback; a month stays text', () => {
    const raw = (r: Reply) => ((blocksOf(r).find((b) => b.type === 'context')!.elements as Json[])[0] as { text: string }).text;
    expect(raw(sourcedAnswer([], '2023-09-05'))).toBe(`As of <!date^${Date.UTC(2023, 8, 5, 12) / 1000}^{date_long}|5 September 2023>`);
    expect(raw(sourcedAnswer([], '2023-09'))).toBe('As of September 2023');
  });

  it('a placeholder title is left out: publisher, date and link only', () => {
    const context = contextOf(
      sourcedAnswer([
        cite('KUNA (via MENAFN)', '[report on Macron recalling the ambassador from Niger, title not recorded]', '2024', 'https://menafn.example/1'),
        cite('Südostschweiz', '[report giving about 1,000 French troops in Niger, title not recorded]', '2024', null),
        cite('AP', 'Niger [update]', '2024', 'https://ap.example/2'),
      ]),
    );
    expect(context).toBe(
      'Sources:\n1. <https://menafn.example/1|KUNA (via MENAFN), 2024>\n2. Südostschweiz, 2024\n3. <https://ap.example/2|AP, “Niger [update]”, 2024>',
    );
  });

  it('shows the first three sources in the reply order, then "…and N more sources"', () => {
    const five = ['A', 'BB', 'CCC', 'DDDD', 'EEEEE'].map((p) => cite(p, `Title ${p}`));
    expect(contextOf(sourcedAnswer(five))).toBe(
      'Sources:\n1. <https://example.org/1|A, “Title A”, 2024>\n2. <https://example.org/2|BB, “Title BB”, 2024>\n3. <https://example.org/3|CCC, “Title CCC”, 2024>\n…and 2 more sources',
    );
    expect(renderReply(sourcedAnswer(five)).omittedCitations).toBe(2);
    expect(
      contextOf(sourcedAnswer(five.slice(0, 4)))
        .split('\n')
        .at(-1),
    ).toBe('…and 1 more source');
    expect(renderReply(sourcedAnswer(five.slice(0, 4))).omittedCitations).toBe(1);
    expect(contextOf(sourcedAnswer(five.slice(0, 3)))).not.toContain('more source');
    expect(renderReply(sourcedAnswer(five.slice(0, 3))).omittedCitations).toBe(0);
    // The fallback text follows the same rule.
    expect(renderReply(sourcedAnswer(five)).text).toContain('…and 2 more sources');
    expect(renderReply(sourcedAnswer(five)).text).not.toContain('DDDD');
  });

  it('writes the as-of date and source dates in the long style of the answer text', () => {
    expect(contextOf(sourcedAnswer([], '2023-12-22'))).toBe('As of 22 December 2023');
    expect(contextOf(sourcedAnswer([], '2023-09'))).toBe('As of September 2023');
    expect(contextOf(sourcedAnswer([], '2024'))).toBe('As of 2024');
    expect(contextOf(sourcedAnswer([cite('Xinhua', 'Last troops leave', '2023-12-23', null), cite('RFI', 'Bases', '2023-10', null)], '2023-12-22'))).toBe(
      'As of 22 December 2023 · Sources:\n1. Xinhua, “Last troops leave”, 23 December 2023\n2. RFI, “Bases”, October 2023',
    );
  });
});
