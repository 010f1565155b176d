import { describe, expect, it } from 'vitest';
import { renderText, replyToJson } from '../src/core/render-text.ts';
import { TEST_CALLER, testBot } from './helpers/bot.ts';
import { cite, sourcedAnswer } from './helpers/replies.ts';

describe('plain-text rendering of sources and dates', () => {
  it('a placeholder title is left out: publisher, date and link only', () => {
    const text = renderText(
      sourcedAnswer([
        cite('KUNA (via MENAFN)', '[report on Macron recalling the ambassador from Niger, title not recorded]', '2024', 'https://menafn.example/1'),
        cite('Südostschweiz', '[report giving about 1,000 French troops in Niger, title not recorded]', '2024', null),
        cite('AP', 'Niger [update]', '2024', 'https://ap.example/2'),
      ]),
    );
    expect(text).toBe(
      [
        'French troops in Niger',
        '',
        'About 1,500.',
        '',
        'Sources:',
        '  [1] KUNA (via MENAFN), 2024 — https://menafn.example/1',
        '  [2] Südostschweiz, 2024',
        '  [3] AP, "Niger [update]", 2024 — https://ap.example/2',
      ].join('\n'),
    );
  });

  it('shows the first three sources in the reply order, then "…and N more sources"', () => {
    const five = ['A', 'BB', 'CCC', 'DDDD', 'EEEEE'].map((p) => cite(p, `Title ${p}`, '2024', null));
    expect(renderText(sourcedAnswer(five)).split('\n').slice(-5)).toEqual([
      'Sources:',
      '  [1] A, "Title A", 2024',
      '  [2] BB, "Title BB", 2024',
      '  [3] CCC, "Title CCC", 2024',
      '  …and 2 more sources',
    ]);
    expect(
      renderText(sourcedAnswer(five.slice(0, 4)))
        .split('\n')
        .at(-1),
    ).toBe('  …and 1 more source');
    expect(renderText(sourcedAnswer(five.slice(0, 3)))).not.toContain('more source');
    // --json is not a renderer: it keeps every citation.
    expect(replyToJson(sourcedAnswer(five)).citations).toEqual(five);
  });

  it('writes the as-of date and source dates in the long style of the answer text', () => {
    const asOf = (iso: string) => renderText(sourcedAnswer([], iso)).split('\n').at(-1);
    expect(asOf('2023-12-22')).toBe('As of: 22 December 2023');
    expect(asOf('2023-09')).toBe('As of: September 2023');
    expect(asOf('2024')).toBe('As of: 2024');
    expect(
      renderText(sourcedAnswer([cite('Xinhua', 'Last troops leave', '2023-12-23', null), cite('RFI', 'Bases', '2023-10', null)]))
        .split('\n')
        .slice(-2),
    ).toEqual(['  [1] Xinhua, "Last troops leave", 23 December 2023', '  [2] RFI, "Bases", October 2023']);
  });

  it('a real answer: the date style matches the body, three sources, no placeholder', async () => {
    const bot = await testBot();
    const r = await bot.handleText('troops', TEST_CALLER);
    const text = renderText(r);
    expect(text).toContain('as of 22 December 2023.');
    // The as-of line and the sources (the renderer's part; the body's text is the command's).
    const tail = text.slice(text.indexOf('\n\nAs of:'));
    expect(tail).toMatch(/^\n\nAs of: 22 December 2023\n\nSources:\n {2}\[1\] Xinhua \(via People's Daily\), 23 December 2023 — https?:\/\/\S+$/);
    expect(text).not.toContain('title not recorded');
    const ruler = renderText(await bot.handleText('ruler June 2023', TEST_CALLER));
    expect(ruler).toContain('As of: June 2023');
    expect(ruler).toContain('  …and 4 more sources');
    expect(ruler).not.toContain('  [4]');
  });
});
