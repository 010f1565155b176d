import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { isGroup, optionSpecs } from '../../src/core/command.ts';
import { CatalogError, Catalogs, catalogs, FALLBACK_LANG, placeholders } from '../../src/core/i18n.ts';
import { testBot } from '../helpers/bot.ts';

const all = catalogs();
const others = all.languages().filter((l) => l !== FALLBACK_LANG);

/** Sample values for every argument of a message; `choose` picks the branch of each select. */
function sampleParams(ast: MessageFormatElement[], choose: (options: string[]) => string = (o) => o.find((k) => k !== 'other') ?? 'other') {
  const params: Record<string, string | number> = {};
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (el.type === TYPE.argument) params[el.value] ??= `‹${el.value}›`;
      if (el.type === TYPE.number) params[el.value] = 1500;
      if (el.type === TYPE.plural) params[el.value] = 3;
      if (el.type === TYPE.select) params[el.value] = choose(Object.keys(el.options));
      if (el.type === TYPE.plural || el.type === TYPE.select) for (const o of Object.values(el.options)) walk(o.value);
    }
  };
  walk(ast);
  return params;
}

describe('message catalogs (locales/*.json)', () => {
  it('has English, French and German, found from the files', () => {
    expect(all.languages()).toEqual(['en', 'de', 'fr']);
  });

  it.each(others)('%s has every English key, and no key English lacks', (lang) => {
    const en = new Set(all.keys('en'));
    // Command and option descriptions and names are English in the code (the zod schemas, the command names)
    // and only translated in catalogs.
    const translatedOnly = /^(command|option|commandName|optionName)\./;
    const own = all.keys(lang).filter((k) => !translatedOnly.test(k));
    expect(all.keys('en').filter((k) => !all.has(lang, k))).toEqual([]);
    expect(own.filter((k) => !en.has(k))).toEqual([]);
  });

  it.each(others)('%s translates every command, group and option description', async (lang) => {
    const bot = await testBot();
    const wanted: string[] = [];
    for (const m of bot.registry.list()) if (isGroup(m)) wanted.push(`command.${m.name}`);
    for (const { path, def } of bot.registry.runnable()) {
      const key = path.replace(/ /g, '.');
      wanted.push(`command.${key}`, ...optionSpecs(def.options).map((o) => `option.${key}.${o.name}`));
    }
    expect(wanted.filter((k) => !all.has(lang, k))).toEqual([]);
    // Nothing left over from a command or option that is gone.
    const extra = all.keys(lang).filter((k) => (k.startsWith('command.') || k.startsWith('option.')) && !wanted.includes(k));
    expect(extra).toEqual([]);
  });

  it.each(others)('%s names every command, group and option (for Discord), with nothing left over', async (lang) => {
    const bot = await testBot();
    const wanted = new Set<string>();
    for (const m of bot.registry.list()) if (isGroup(m)) wanted.add(`commandName.${m.name}`);
    for (const { path, def } of bot.registry.runnable()) {
      wanted.add(`commandName.${path.replace(/ /g, '.')}`);
      for (const o of optionSpecs(def.options)) wanted.add(`optionName.${o.name}`);
    }
    wanted.add('optionName.lang');
    expect([...wanted].filter((k) => !all.has(lang, k))).toEqual([]);
    expect(all.keys(lang).filter((k) => /^(commandName|optionName)\./.test(k) && !wanted.has(k))).toEqual([]);
  });

  // The translated message needs what English is given: the troop heading names the country in its own
  // language where English uses the adjective ("French troops").
  const DIFFERENT_PLACEHOLDERS: Record<string, { en: string[]; other: string[] }> = {
    'digest.troops.name': { en: ['adjective'], other: ['country'] },
    'digest.troops.approved': { en: ['adjective', 'approved', 'asOf', 'figure'], other: ['approved', 'asOf', 'country', 'figure'] },
  };

  it.each(others)('%s uses the same placeholders as English in every message', (lang) => {
    for (const key of all.keys('en')) {
      const en = [...placeholders(all.ast('en', key)!)].sort();
      const other = [...placeholders(all.ast(lang, key)!)].sort();
      const allowed = DIFFERENT_PLACEHOLDERS[key];
      if (allowed) {
        expect(en, key).toEqual(allowed.en);
        expect(other, `${lang}: ${key}`).toEqual(allowed.other);
      } else {
        expect(other, `${lang}: ${key}`).toEqual(en);
      }
    }
  });

  it.each(all.languages())('every %s message formats with sample values, in every branch, leaving no placeholder', (lang) => {
    for (const key of all.keys(lang)) {
      const ast = all.ast(lang, key)!;
      const en = all.ast('en', key);
      // Values for the English placeholders too (the digest heading passes both).
      const base = { ...(en ? sampleParams(en) : {}), ...sampleParams(ast) };
      for (const choose of [(o: string[]) => o[0]!, (o: string[]) => o[o.length - 1]!]) {
        const out = all.t(lang, key, { ...base, ...sampleParams(ast, choose) });
        expect(out, `${lang}: ${key}`).not.toMatch(/[{}]/);
        expect(out.trim().length, `${lang}: ${key}`).toBeGreaterThan(0);
      }
    }
  });

  it('numbers are written as the language writes them', () => {
    const figure = (lang: string) => all.t(lang, 'digest.troops.figure', { count: 1500, approximate: 'false' });
    expect(figure('en')).toBe('1,500');
    expect(figure('fr')).toMatch(/^1\s500 soldats$/);
    expect(figure('de')).toBe('1.500 Soldaten');
  });

  it('a message with broken ICU syntax stops the start with the file and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'niger-locales-'));
    writeFileSync(join(dir, 'en.json'), JSON.stringify({ ok: 'Fine', 'digest.title': 'Digest — {date}' }));
    writeFileSync(join(dir, 'fr.json'), JSON.stringify({ 'digest.title': 'Résumé — {count, plural, one {# jour}' }));
    expect(() => Catalogs.load(dir)).toThrow(CatalogError);
    expect(() => Catalogs.load(dir)).toThrow(/locales\/fr\.json: "digest\.title" is not valid ICU MessageFormat/);
    writeFileSync(join(dir, 'fr.json'), '{ "oops": ');
    expect(() => Catalogs.load(dir)).toThrow(/locales\/fr\.json is not valid JSON/);
  });

  it('a key missing in a translation falls back to English; a language without a catalog is English', () => {
    const c = new Catalogs({ en: { hello: 'Hello {name}', only: 'Only in English' }, fr: { hello: 'Bonjour {name}' } });
    expect(c.t('fr', 'hello', { name: 'Ada' })).toBe('Bonjour Ada');
    expect(c.t('fr', 'only')).toBe('Only in English');
    expect(c.resolve('fr-CA')).toBe('fr');
    expect(c.resolve('fr_FR.UTF-8')).toBe('fr');
    expect(c.resolve('es-ES')).toBeUndefined();
    expect(c.resolve('C.UTF-8')).toBeUndefined();
    expect(() => c.t('fr', 'nowhere')).toThrow(/No message "nowhere"/);
    // A placeholder left unfilled is an error, never text with braces in it.
    expect(() => c.t('fr', 'hello')).toThrow(/name/);
  });

  it('a catalog set without English is refused', () => {
    expect(() => new Catalogs({ fr: { a: 'b' } })).toThrow(/No en catalog/);
  });
});
