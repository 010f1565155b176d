// Charts attached to answers through the core's ChartService (src/charts/service.ts, as main.ts wires it): which
// answers carry one, that it is a real PNG with its words, that the text is the same with or without it, and that
// drawing one leaves the process's globals as they were (vega-lite's Set.prototype.toJSON; discord.js still starts).
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { chartService } from '../../src/charts/service.ts';
import { AnswerCache } from '../../src/core/answer-cache.ts';
import type { Bot } from '../../src/core/bot.ts';
import { renderText } from '../../src/core/render-text.ts';
import { reply } from '../../src/core/reply.ts';
import { captureLogger, TEST_CALLER, testBot } from '../helpers/bot.ts';
import { startHarness, type Harness } from '../discord/harness.ts';
import { visibleText } from '../fakes/discord.ts';

const withCharts = await testBot({ services: { charts: chartService() } });
const textOnly = await testBot();

function decode(bytes: Uint8Array): PNG {
  return PNG.sync.read(Buffer.from(bytes));
}

async function both(line: string) {
  return { charted: await withCharts.handleText(line, TEST_CALLER), plain: await textOnly.handleText(line, TEST_CALLER) };
}

describe('answers with a chart', () => {
  it('troops show:history attaches the country’s troop chart: a PNG, its alt text every figure, its caption the sources', async () => {
    const { charted, plain } = await both('troops France history');
    expect(charted.attachments).toHaveLength(1);
    const [chart] = charted.attachments!;
    expect(chart!.name).toBe('troops-france-history.png');
    expect(chart!.mime).toBe('image/png');
    const image = decode(chart!.bytes);
    expect(image.width).toBeGreaterThan(600);
    expect(image.height).toBeGreaterThan(300);
    expect(chart!.alt).toMatch(/^Line chart of French troops in Niger/);
    expect(chart!.alt).toContain('about 1,500');
    expect(chart!.caption).toContain('Sources:');
    for (const c of charted.citations) expect(chart!.caption).toContain(c.publisher);
    // The text is the whole answer, chart or not.
    expect(renderText(charted)).toBe(renderText(plain));
    expect(plain.attachments).toBeUndefined();
  });

  it('troops over a period in which the figure changed attaches that period’s chart; one date or "now" attaches none', async () => {
    const year = await withCharts.handleText('troops France 2023', TEST_CALLER);
    expect(year.items.length).toBeGreaterThan(1);
    expect(year.attachments?.[0]?.name).toBe('troops-france-2023-01-01-2023-12-31.png');
    expect(year.attachments![0]!.alt).toContain('2023');
    // The figure in force when the period opens, and none of another country's.
    expect(year.attachments![0]!.alt).toContain('France: about 1,050 (January 2022), about 1,500');
    expect(year.attachments![0]!.alt).not.toMatch(/Germany|German|US withdrawal/);
    expect((await withCharts.handleText('troops France 2023-09-05', TEST_CALLER)).attachments).toBeUndefined();
    expect((await withCharts.handleText('troops France', TEST_CALLER)).attachments).toBeUndefined();
  });

  it('places attaches the bases map; a country’s places do not (the map shows every base)', async () => {
    const { charted, plain } = await both('places');
    expect(charted.attachments?.[0]?.name).toBe('foreign-bases-niger.png');
    expect(decode(charted.attachments![0]!.bytes).width).toBeGreaterThan(600);
    expect(charted.attachments![0]!.caption).toContain('Natural Earth');
    expect(renderText(charted)).toBe(renderText(plain));
    expect((await withCharts.handleText('places country:Germany', TEST_CALLER)).attachments).toBeUndefined();
  });

  it('a question routed by ask carries the chart of the command it went to', async () => {
    const r = await withCharts.handleText('ask how many French troops were in Niger in 2023?', TEST_CALLER);
    expect(r.command).toBe('troops');
    expect(r.attachments?.[0]?.name).toBe('troops-france-2023-01-01-2023-12-31.png');
  });

  it('in French or German the alt text and caption are in the answer’s language, every figure drawn with its date', async () => {
    const fr = await withCharts.handleText('troops France history lang:fr', TEST_CALLER);
    // French groups digits with a narrow no-break space: compared as plain spaces.
    const alt = fr.attachments![0]!.alt.replace(/[\u00a0\u202f]/g, ' ');
    expect(alt).toMatch(/^Graphique en courbe : Militaires français au Niger/);
    expect(alt).toContain('juillet – septembre 2023 : environ 1 500');
    expect(alt).toContain('22 décembre 2023 : aucun');
    expect(alt.length).toBeLessThanOrEqual(1000);
    expect(fr.attachments![0]!.caption).toMatch(/^Militaires français au Niger .*\. Sources : .*AFP\/dpa/);
    const de = await withCharts.handleText('places lang:de', TEST_CALLER);
    expect(de.attachments![0]!.alt).toMatch(/^Karte Nigers und seiner Nachbarn mit 4 ausländischen Militärstandorten: /);
    expect(de.attachments![0]!.caption).toContain('Natural Earth (gemeinfrei)');
    // The same picture whatever the language.
    const en = await withCharts.handleText('troops France history', TEST_CALLER);
    expect(Buffer.from(fr.attachments![0]!.bytes).equals(Buffer.from(en.attachments![0]!.bytes))).toBe(true);
  });

  it('a chart that fails to draw leaves the answer whole, without a chart, and is logged', async () => {
    const captured = captureLogger('warn');
    const broken = await testBot({
      log: captured.log,
      services: {
        charts: {
          troops: () => Promise.reject(new Error('resvg exploded')),
          bases: () => Promise.reject(new Error('resvg exploded')),
        },
      },
    });
    const r = await broken.handleText('troops France history', TEST_CALLER);
    expect(r.kind).toBe('answer');
    expect(r.attachments).toBeUndefined();
    expect(renderText(r)).toBe(renderText(await textOnly.handleText('troops France history', TEST_CALLER)));
    expect(captured.lines().join('\n')).toMatch(/chart not drawn/);
  });
});

describe('the answer cache and charts', () => {
  it('counts a chart’s bytes: answers with charts are dropped, oldest first, past its byte bound; text answers are not', () => {
    const now = new Date('2026-11-29T09:00:00Z');
    const cache = new AnswerCache(2000, 300 * 1024);
    const charted = (i: number) =>
      reply({ command: 'troops', title: `t${i}`, attachments: [{ name: 'c.png', mime: 'image/png', bytes: new Uint8Array(60 * 1024), alt: 'a' }] });
    for (let i = 0; i < 10; i++) cache.set(`chart ${i}`, now, charted(i));
    const kept = Array.from({ length: 10 }, (_, i) => cache.get(`chart ${i}`, now) !== undefined);
    // 65 kB each against 300 kB: the four newest stay.
    expect(kept).toEqual([false, false, false, false, false, false, true, true, true, true]);
    const text = new AnswerCache(2000, 300 * 1024);
    // 50 text answers at 5 kB each fit in the same bound: all stay.
    for (let i = 0; i < 50; i++) text.set(`ruler ${i}`, now, reply({ command: 'ruler', title: `r${i}` }));
    expect(text.get('ruler 0', now)?.title).toBe('r0');
    expect(text.get('ruler 49', now)?.title).toBe('r49');
  });
});

describe('drawing a chart leaves the process as it was', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.close();
  });

  it('JSON.stringify of a Set is still "{}" and Set.prototype has no toJSON of vega-lite’s', async () => {
    await withCharts.handleText('troops Germany history', TEST_CALLER);
    expect(Object.getOwnPropertyNames(Set.prototype)).not.toContain('toJSON');
    expect(JSON.stringify(new Set([1]))).toBe('{}');
    expect(JSON.stringify({ s: new Set(['a']) })).toBe('{"s":{}}');
  });

  it('a chart drawn while some other code has its own Set.prototype.toJSON leaves that one in place', async () => {
    const mine = () => 'mine';
    Object.defineProperty(Set.prototype, 'toJSON', { value: mine, configurable: true, writable: true });
    try {
      const chart = await chartService().troops(withCharts.kb, { countries: ['Italy'] });
      expect(chart?.png.length).toBeGreaterThan(0);
      expect(JSON.stringify(new Set([1]))).toBe('"mine"');
    } finally {
      delete (Set.prototype as { toJSON?: unknown }).toJSON;
    }
  });

  it('discord.js then starts against the fake and answers with the chart’s command', async () => {
    const bot: Bot = withCharts;
    h = await startHarness(bot);
    const sent = h.fake.dispatchInteraction({ path: 'troops', options: { country: { type: 3, value: 'France' } } });
    const result = await sent.result();
    expect(result.callback.status).toBeLessThan(300);
    expect(visibleText(result.message)).toContain('French');
  });
});
