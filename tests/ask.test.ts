import { describe, expect, it } from 'vitest';
import { renderText } from '../src/core/render-text.ts';
import { evaluate, judge, loadAskCases, SPLITS } from './eval/ask-eval.ts';
import { testBot, TEST_CALLER } from './helpers/bot.ts';

const sets = Object.fromEntries(SPLITS.map((s) => [s, loadAskCases(s)])) as Record<(typeof SPLITS)[number], ReturnType<typeof loadAskCases>>;
const all = [...sets.dev, ...sets.heldout];

describe('ask: the evaluation sets', () => {
  it('hold at least 400 questions, 30% of them held out, with French, German and questions to decline', () => {
    expect(all.length).toBeGreaterThanOrEqual(400);
    expect(sets.heldout.length / all.length).toBeGreaterThanOrEqual(0.3);
    expect(all.filter((c) => c.lang === 'fr').length).toBeGreaterThanOrEqual(60);
    expect(all.filter((c) => c.lang === 'de').length).toBeGreaterThanOrEqual(60);
    expect(all.filter((c) => c.answered === false).length).toBeGreaterThanOrEqual(60);
    const questions = all.map((c) => c.q.trim().toLowerCase());
    expect(new Set(questions).size).toBe(questions.length);
  });

  it('judges a short word only as a whole word', () => {
    const c = { q: 'are there still US troops?', lang: 'en' as const, category: 'yesno', contains: ['No'] };
    expect(judge(c, { answered: true, text: 'In November 2023 …' }).outcome).toBe('wrong');
    expect(judge(c, { answered: true, text: 'No. None as of 15 September 2024.' }).outcome).toBe('right');
  });

  // Floors just under the measured figures (see README; five rounds of questions, the last three written
  // after the code): a change that makes understanding worse fails here. The targets are higher.
  it.each([
    ['dev', 0.93, 0.03],
    ['heldout', 0.81, 0.06],
  ] as const)('%s: at least %d right, at most %d wrong', async (split, minRight, maxWrong) => {
    const bot = await testBot();
    const { tally } = await evaluate(bot, sets[split]);
    expect(tally.right / tally.total).toBeGreaterThanOrEqual(minRight);
    expect(tally.wrong / tally.total).toBeLessThanOrEqual(maxWrong);
  });
});

describe('ask: answers', () => {
  it('declines with what it can answer instead of guessing', async () => {
    const bot = await testBot();
    const r = await bot.run('ask', { question: 'how many Russian soldiers are in Niger?' }, TEST_CALLER);
    expect(r.answered).toBe(false);
    expect(r.citations).toEqual([]);
    expect(renderText(r)).toMatch(/Russia/);
    expect(r.items.join(' ')).toMatch(/who ruled Niger/);
  });

  it('answers "when" with the date first and the structured event', async () => {
    const bot = await testBot();
    const r = await bot.run('ask', { question: 'when did the french ambassador leave niamey?' }, TEST_CALLER);
    expect(r.body.split('\n')[0]).toMatch(/^27 September 2023: /);
    expect(r.facts[0]).toMatchObject({ type: 'event', date: '2023-09-27' });
  });

  it('understands French and German with the same facts, and answers in the question’s language', async () => {
    const bot = await testBot();
    const fr = await bot.run('ask', { question: 'combien de soldats français au Niger en septembre 2023 ?' }, TEST_CALLER);
    const de = await bot.run('ask', { question: 'Wie viele französische Soldaten waren im September 2023 im Niger?' }, TEST_CALLER);
    for (const r of [fr, de]) {
      expect(r.command).toBe('troops');
      expect(r.facts).toContainEqual(expect.objectContaining({ type: 'troops', country: 'France', count: 1500 }));
    }
    expect(fr.lang).toBe('fr');
    expect(fr.body).toMatch(/^Environ 1\s500 militaires .* au Niger en septembre 2023/u);
    expect(de.lang).toBe('de');
    expect(de.body).toMatch(/^Etwa 1\.500 .*Soldaten waren im September 2023 im Niger/);
    // lang: wins over the question's language; a name alone is answered in the reader's language.
    expect((await bot.run('ask', { question: 'combien de soldats français au Niger en septembre 2023 ?', lang: 'en' }, TEST_CALLER)).body).toMatch(
      /^About 1,500 French troops/,
    );
    const french: typeof TEST_CALLER = { ...TEST_CALLER, locale: () => 'fr-FR' };
    for (const question of ['tiani', 'CEDEAO']) expect((await bot.run('ask', { question }, TEST_CALLER)).lang, question).toBe('en');
    for (const question of ['tiani', 'CEDEAO']) expect((await bot.run('ask', { question }, french)).lang, question).toBe('fr');
  });

  it('takes the date of an event named in the question', async () => {
    const bot = await testBot();
    const r = await bot.run('ask', { question: 'who was prime minister when the french ambassador left?' }, TEST_CALLER);
    expect(renderText(r)).toMatch(/Zeine/);
    expect(r.notes.join(' ')).toMatch(/27 September 2023/);
  });

  it('answers yes or no first, from the dated fact', async () => {
    const bot = await testBot();
    const troops = await bot.run('ask', { question: 'are there still american troops in niger?' }, TEST_CALLER);
    expect(troops.body).toMatch(/^No\. /);
    const ruler = await bot.run('ask', { question: 'is tiani still in charge?' }, TEST_CALLER);
    expect(ruler.body).toMatch(/^Yes\. /);
  });

  it('compares two events by their dates', async () => {
    const bot = await testBot();
    const r = await bot.run('ask', { question: 'was the AES founded before the french ambassador left?' }, TEST_CALLER);
    expect(r.body).toMatch(/^Yes\. /);
    expect(r.facts).toContainEqual(expect.objectContaining({ type: 'comparison', answer: 'yes' }));
  });

  it('answers each country of a question in order', async () => {
    const bot = await testBot();
    const r = await bot.run('ask', { question: 'how many french and american troops were in niger in september 2023?' }, TEST_CALLER);
    const countries = r.facts.filter((f) => f.type === 'troops').map((f) => (f.type === 'troops' ? f.country : ''));
    expect(countries).toEqual(['France', 'United States']);
  });

  it('does not answer another country’s leader with Niger’s', async () => {
    const bot = await testBot();
    for (const question of ['who leads Mali?', 'qui est le président du Burkina Faso ?', 'Wer regiert Mali?']) {
      const r = await bot.run('ask', { question }, TEST_CALLER);
      expect(r.answered, question).toBe(false);
      expect(renderText(r), question).not.toMatch(/Tiani/);
    }
  });

  it('reads a question typed without ask that starts with a command name', async () => {
    const bot = await testBot();
    const r = await bot.handleText('timeline of the withdrawal', TEST_CALLER);
    expect(r.kind).toBe('answer');
    expect(r.command).toBe('timeline');
    expect(renderText(r)).toMatch(/22 December 2023/);
    // A command with a value it does not know stays an error, not a guess.
    const narnia = await bot.handleText('troops Narnia', TEST_CALLER);
    expect(narnia.kind).toBe('error');
  });
});
