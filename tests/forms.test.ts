import { describe, expect, it } from 'vitest';
import type { Caller, FormCapabilities } from '../src/core/command.ts';
import { decodeAction, decodeForm, encodeAction, encodeForm } from '../src/core/reply.ts';
import { TEST_CALLER, testBot } from './helpers/bot.ts';

// The core's part of forms, buttons and preconditions, through the real bot and commands: what a form holds is derived
// from the command's zod options, its submission is validated by the same schema as the text syntax, and a command's
// declared preconditions refuse before its handler runs.

const WIDE: FormCapabilities = { maxFields: 100, maxLabel: 2000, maxPlaceholder: 150, maxTitle: 24 };
const NARROW: FormCapabilities = { maxFields: 5, maxLabel: 45, maxPlaceholder: 100, maxTitle: 45 };
const withForms = (forms: FormCapabilities, editor = true): Caller => ({ ...TEST_CALLER, forms, isEditor: async () => editor });

describe('forms derived from the command definition', () => {
  it('a command with a form, asked with no options where forms exist, answers with its fields in declaration order', async () => {
    const bot = await testBot();
    const r = await bot.handleText('propose troops', withForms(WIDE));
    expect(r.form?.command).toBe('propose troops');
    expect(r.form?.title).toBe('Propose a troop figure');
    expect(r.form?.fields.map((f) => [f.name, f.required])).toEqual([
      ['country', true],
      ['count', true],
      ['date', true],
      ['source', true],
      ['publisher', true],
      ['title', true],
      ['published', true],
    ]);
    // The same command in the shell (no forms) still names the missing option.
    const typed = await bot.handleText('propose troops', TEST_CALLER);
    expect(typed.form).toBeUndefined();
    expect(typed.kind).toBe('error');
    expect(typed.body).toMatch(/country/);
  });

  it('a platform with five inputs gets the source line combined; the parts are split back and validated by the schema', async () => {
    const bot = await testBot();
    const r = await bot.handleText('propose correct lang:fr', withForms(NARROW));
    expect(r.form?.fields.map((f) => f.name)).toEqual(['id', 'count', 'source', 'citation']);
    expect(r.form?.title).toBe('Corriger un effectif');
    expect(r.form?.fields.every((f) => f.label.length <= 45 && f.placeholder.length <= 100)).toBe(true);
    const wrongParts = await bot.submitForm(
      { command: 'propose correct', fixed: {} },
      { id: 'x', count: '1', source: 'https://a.example', citation: 'AFP' },
      TEST_CALLER,
    );
    expect(Object.keys(wrongParts.fieldErrors ?? {})).toEqual(['citation']);
    const badCount = await bot.submitForm(
      { command: 'propose correct', fixed: {} },
      { id: 'france-2023-07', count: '-5', source: 'https://a.example', citation: 'AFP | T | 2026-11-21' },
      TEST_CALLER,
    );
    expect(Object.keys(badCount.fieldErrors ?? {})).toEqual(['count']);
    expect(badCount.reply.body).toMatch(/^Number of troops: /);
    // Without a database, the command's own refusal comes back, and it owns no field.
    const noStore = await bot.submitForm(
      { command: 'propose correct', fixed: {} },
      { id: 'france-2023-07', count: '5', source: 'https://a.example', citation: 'AFP | T | 2026-11-21' },
      TEST_CALLER,
    );
    expect(noStore.fieldErrors).toBeUndefined();
    expect(noStore.reply.body).toMatch(/without a database/);
  });

  it('an event form on five inputs: its lists share one, its whole source another; a mistake is shown at the input that holds it', async () => {
    const bot = await testBot();
    const wide = await bot.handleText('propose event', withForms(WIDE));
    expect(wide.form?.fields.map((f) => [f.name, f.required, f.multiline])).toEqual([
      ['date', true, false],
      ['headline', true, false],
      ['summary', true, true],
      ['tags', false, false],
      ['actors', false, false],
      ['places', false, false],
      ['source', true, false],
      ['publisher', true, false],
      ['title', true, false],
      ['published', true, false],
    ]);
    const narrow = await bot.handleText('propose event', withForms(NARROW));
    expect(narrow.form?.fields.map((f) => [f.name, f.label, f.required])).toEqual([
      ['date', 'Day it happened (YYYY-MM-DD)', true],
      ['headline', 'Headline', true],
      ['summary', 'Summary (from the source only)', true],
      ['about', 'Topics | who acts | places', false],
      ['cited', 'Source URL | publisher | title | published', true],
    ]);
    const badPlace = await bot.submitForm(
      { command: 'propose event', fixed: {} },
      { date: '2026-11-20', headline: 'H', summary: 'S', about: 'italy | | atlantis', cited: 'https://a.example | ANSA | T | 2026-11-21' },
      TEST_CALLER,
    );
    expect(Object.keys(badPlace.fieldErrors ?? {})).toEqual(['about']);
    expect(badPlace.fieldErrors?.about).toMatch(/^places: the knowledge base knows nothing called “atlantis”/);
    const wrongParts = await bot.submitForm(
      { command: 'propose event', fixed: {} },
      { date: '2026-11-20', headline: 'H', summary: 'S', cited: 'https://a.example | ANSA' },
      TEST_CALLER,
    );
    expect(Object.keys(wrongParts.fieldErrors ?? {})).toEqual(['cited']);
    const correction = await bot.handleText('propose correct-event', withForms(NARROW));
    expect(correction.form?.fields.map((f) => [f.name, f.required])).toEqual([
      ['id', true],
      ['headline', false],
      ['summary', false],
      ['facts', false],
      ['cited', true],
    ]);
    const place = await bot.handleText('propose place', withForms(NARROW));
    expect(place.form?.fields.map((f) => f.name)).toEqual(['name', 'what', 'summary', 'aliases', 'cited']);
    const organisation = await bot.handleText('propose organisation', withForms(NARROW));
    expect(organisation.form?.fields.map((f) => f.name)).toEqual(['identity', 'kind', 'description', 'abroad', 'cited']);
    const statement = await bot.handleText('propose statement', withForms(NARROW));
    expect(statement.form?.fields.map((f) => [f.name, f.multiline])).toEqual([
      ['person', false],
      ['date', false],
      ['quote', true],
      ['context', true],
      ['cited', false],
    ]);
  });

  it('a field longer than any command reads is refused at that field, not cut and accepted', async () => {
    const bot = await testBot();
    const long = await bot.submitForm(
      { command: 'propose correct', fixed: {} },
      { id: 'france-2023-07', count: '5', source: `https://a.example/${'x'.repeat(10_000)}`, citation: 'AFP | T | 2026-11-21' },
      TEST_CALLER,
    );
    expect(Object.keys(long.fieldErrors ?? {})).toEqual(['source']);
    expect(long.fieldErrors?.source).toMatch(/at most 2,000 characters/);
    // Whitespace a paste brings along does not count.
    const padded = await bot.submitForm(
      { command: 'propose correct', fixed: {} },
      { id: 'france-2023-07', count: `5${' '.repeat(3000)}`, source: 'https://a.example', citation: 'AFP | T | 2026-11-21' },
      TEST_CALLER,
    );
    expect(padded.fieldErrors).toBeUndefined();
  });

  it('a group named alone offers its forms as buttons; a form submission cannot override what the button fixed', async () => {
    const bot = await testBot();
    const r = await bot.handleText('propose', withForms(WIDE));
    expect(r.actions?.map((a) => [a.label, a.command, a.form])).toEqual([
      ['Propose a troop figure', 'propose troops', true],
      ['Correct a troop figure', 'propose correct', true],
      ['Propose an event', 'propose event', true],
      ['Correct an event', 'propose correct-event', true],
      ['Propose a statement', 'propose statement', true],
      ['Propose a place', 'propose place', true],
      ['Propose an organisation', 'propose organisation', true],
      ['Propose an office term', 'propose term', true],
      ['Correct an office term', 'propose correct-term', true],
    ]);
    expect((await bot.handleText('propose', TEST_CALLER)).body).toMatch(/propose troops/);
    const reject = await bot.press(encodeAction({ command: 'reject', options: { id: 'P-AAAAAA' }, form: true, replaces: true }), withForms(WIDE));
    expect(reject.reply.form?.fields.map((f) => [f.name, f.multiline])).toEqual([['reason', true]]);
    expect(reject.reply.form?.fixed).toEqual({ id: 'P-AAAAAA' });
    expect(reject.replaces).toBe(true);
  });

  it('buttons and forms carry their state in a strict encoding; anything else is refused with a clear message', async () => {
    const action = { command: 'approve', options: { id: 'P-ABCDEF' }, form: false, replaces: true };
    expect(decodeAction(encodeAction(action))).toEqual(action);
    expect(encodeAction(action).length).toBeLessThanOrEqual(100);
    expect(decodeForm(encodeForm({ command: 'reject', fixed: { id: 'P-ABCDEF' }, replaces: true }))).toEqual({
      command: 'reject',
      fixed: { id: 'P-ABCDEF' },
      replaces: true,
    });
    for (const junk of ['', 'a', 'a[1,2]', 'a{"x":1}', `a[${'"x",'.repeat(5000)}]`, 'f["reject",[],0]', 'a["approve","P-1",0,0]']) {
      expect(decodeAction(junk)).toBeUndefined();
    }
    const bot = await testBot();
    const forged = await bot.press('a["approve",{"id":"P-ABCDEF"', withForms(WIDE));
    expect(forged.reply.kind).toBe('error');
    expect(forged.reply.body).toMatch(/does not know this button/);
  });
});

describe('preconditions declared on the command', () => {
  it('are checked by the core before the handler, with the command’s refusal; help shows them', async () => {
    const bot = await testBot();
    const reader: Caller = { ...TEST_CALLER, canManageChannel: async () => false };
    // No database here: a handler that ran would say so; the precondition refuses first.
    expect((await bot.handleText('review', reader)).body).toBe('Only editors may review proposals.');
    expect((await bot.handleText('approve P-ABCDEF', reader)).body).toBe('Only editors may approve proposals. Nothing was changed.');
    expect((await bot.handleText('digest unsubscribe', reader)).body).toMatch(/^Only people who can manage this channel may stop its digest/);
    expect((await bot.handleText('review', { ...reader, isEditor: async () => true })).body).toMatch(/without a database/);
    // A button runs through the same check: a non-editor gets the refusal, not the reason form.
    const press = await bot.press(encodeAction({ command: 'reject', options: { id: 'P-ABCDEF' }, form: true }), { ...withForms(WIDE, false) });
    expect(press.reply.form).toBeUndefined();
    expect(press.reply.body).toBe('Only editors may reject proposals. Nothing was changed.');
    const help = await bot.handleText('help approve', TEST_CALLER);
    expect(help.items[0]).toMatch(/\(editors only\)$/);
    const digestHelp = await bot.handleText('help digest', TEST_CALLER);
    expect(digestHelp.items.find((i) => i.startsWith('digest subscribe'))).toMatch(/\(for people who can manage the channel\)$/);
  });
});
