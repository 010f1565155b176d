import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildCommands,
  COMMAND_LIMITS,
  DefinitionError,
  diffCommands,
  EDITORS_COMMAND,
  isForEditors,
  countryChoices,
  isChannelAdmin,
  isUnchanged,
  pathPrefix,
  ROOT_COMMAND,
  type OptionJSON,
} from '../../src/adapters/discord/definitions.ts';
import { canManageChannel, readInvocation } from '../../src/adapters/discord/interaction.ts';
import { AUTOCOMPLETE_KINDS, defineCommand, defineGroup, isGroup, KNOWN_OPTION, LANG_OPTION, optionSpecs, type CommandModule } from '../../src/core/command.ts';
import { reply } from '../../src/core/reply.ts';
import { CommandRegistry } from '../../src/core/registry.ts';
import { ADMINISTRATOR, commandOptions, commandViolations, MANAGE_CHANNELS, MEMBER_PERMISSIONS } from '../fakes/discord.ts';
import { testBot } from '../helpers/bot.ts';

const TYPE = { string: 3, integer: 4, number: 10, boolean: 5 } as const;

const noop = () => reply({ command: 'x', title: 'x' });

function registry(...modules: CommandModule[]): CommandRegistry {
  return new CommandRegistry(modules);
}

describe('Discord command definitions (registry → application command JSON)', () => {
  it('one /niger whose subcommands and options follow the real command definitions, /niger-digest for the admin ones and /niger-edit for the editors’', async () => {
    const bot = await testBot();
    const commands = buildCommands(bot.registry);
    expect(commands.map((c) => c.name)).toEqual([ROOT_COMMAND, 'niger-digest', EDITORS_COMMAND]);
    const [root, admin, edit] = commands;
    expect(root!.type).toBe(1);
    expect(root!.options.map((o) => o.name)).toEqual(
      bot.registry
        .list()
        .filter((m) => !isForEditors(m))
        .map((m) => m.name),
    );
    expect(edit!.options.map((o) => o.name)).toEqual(['approve', 'propose', 'reject', 'review', 'withdraw']);
    const commandNames = bot.registry.list().map((m) => m.name);

    for (const mod of bot.registry.list()) {
      const sub = (isForEditors(mod) ? edit : root)!.options.find((o) => o.name === mod.name)!;
      const defs = isGroup(mod)
        ? mod.subcommands.map((d) => ({ def: d, json: (isChannelAdmin(d) ? admin! : sub).options!.find((o) => o.name === d.name)! }))
        : [{ def: mod, json: sub }];
      expect(sub.type).toBe(isGroup(mod) ? 2 : 1);
      // Only the admin subcommands left /niger: the others stay in their group.
      if (isGroup(mod)) expect(sub.options!.map((o) => o.name)).toEqual(mod.subcommands.filter((d) => !isChannelAdmin(d)).map((d) => d.name));
      for (const { def, json } of defs) {
        expect(json.type).toBe(1);
        expect(json.description.length).toBeLessThanOrEqual(100);
        const opts = json.options ?? [];
        // A command whose options are given in its form alone is declared without any (the modal opens instead).
        if (def.form?.formOnly) {
          expect(opts).toEqual([]);
          continue;
        }
        const specs = optionSpecs(def.options);
        // The command's own options, and the options every command takes (language, then `known:`), last.
        expect(opts.map((o) => o.name).sort()).toEqual([...specs.map((s) => s.name), LANG_OPTION, KNOWN_OPTION].sort());
        expect(opts.slice(-2).map((o) => o.name)).toEqual([LANG_OPTION, KNOWN_OPTION]);
        expect(opts.at(-1)).toMatchObject({ type: 3, max_length: 10 });
        expect(opts.at(-1)!.required).toBeUndefined();
        // Required options first.
        const firstOptional = opts.findIndex((o) => !o.required);
        if (firstOptional >= 0) expect(opts.slice(firstOptional).every((o) => !o.required)).toBe(true);
        for (const spec of specs) {
          const o = opts.find((x) => x.name === spec.name)!;
          expect(o.type).toBe(TYPE[spec.type]);
          // A command with a form takes its options there when none is given: Discord must not demand them.
          expect(Boolean(o.required)).toBe(spec.required && !def.form);
          expect(o.name.length).toBeLessThanOrEqual(32);
          expect(o.description.length).toBeLessThanOrEqual(100);
          // A command's name (help's option) is one of the commands: choices. Countries too, when the list is given.
          const choices = spec.choices ?? (spec.kind === 'command' ? commandNames : undefined);
          expect(o.choices?.map((c) => c.value)).toEqual(choices);
          const shouldComplete = !choices && spec.kind !== undefined && AUTOCOMPLETE_KINDS.includes(spec.kind);
          expect(Boolean(o.autocomplete)).toBe(shouldComplete);
          if (spec.type === 'integer') {
            expect(o.min_value).toBe(spec.min);
            expect(o.max_value).toBe(spec.max);
          }
          if (spec.type === 'string' && spec.maxLength !== undefined) expect(o.max_length).toBe(spec.maxLength);
        }
      }
    }
    // Discord's own checks (as the fake applies them) find nothing to refuse.
    expect(commandViolations(root)).toEqual([]);
    expect(commandViolations(admin)).toEqual([]);
    expect(commandViolations(edit)).toEqual([]);
  });

  it('gives the editors’ commands /niger-edit, usable where /niger is, with room left in both for Discord’s 8,000 characters', async () => {
    const bot = await testBot();
    const commands = buildCommands(bot.registry, { countries: countryChoices(bot.kb) });
    const edit = commands.find((c) => c.name === EDITORS_COMMAND)!;
    // Anyone may propose, and editors by role hold no permission Discord knows: shown to everyone, as /niger.
    expect(edit).toMatchObject({ contexts: [0, 1, 2], integration_types: [0, 1] });
    expect(edit.default_member_permissions).toBeUndefined();
    expect(edit.description).toMatch(/^Editors: propose, review, approve and reject/);
    expect(edit.description_localizations).toMatchObject({ fr: expect.stringMatching(/^Éditeurs/), de: expect.stringMatching(/^Redaktion/) });
    const propose = edit.options.find((o) => o.name === 'propose')!;
    expect(propose.options!.map((o) => o.name)).toEqual(expect.arrayContaining(['term', 'correct-term']));
    // Typed options too (the modal opens when none is given); the holder is completed from the people.
    const term = propose.options!.find((o) => o.name === 'term')!;
    expect(term.options!.map((o) => o.name)).toEqual(expect.arrayContaining(['office', 'holder', 'start', 'began', 'end', 'ended']));
    expect(term.options!.find((o) => o.name === 'holder')!.autocomplete).toBe(true);
    const size = (c: { name: string; description: string; options?: OptionJSON[] }): number =>
      c.name.length +
      c.description.length +
      (c.options ?? []).reduce((n, o) => n + size(o) + (o.choices ?? []).reduce((m, ch) => m + ch.name.length + String(ch.value).length, 0), 0);
    for (const c of commands) expect(size(c), c.name).toBeLessThan(COMMAND_LIMITS.total * 0.75);
    // What /niger-edit takes is what the core's paths are: `/niger-edit propose term` runs `propose term`.
    expect(pathPrefix(EDITORS_COMMAND)).toBe('');
    expect(readInvocation(commandOptions('propose term', { office: 'prime minister' }), pathPrefix(EDITORS_COMMAND))).toEqual({
      path: 'propose term',
      options: { office: 'prime minister' },
    });
    // A channel-admin command named `edit` would take the same name: refused before anything is sent.
    const clash = defineCommand({ name: 'edit', description: 'Edit', options: z.object({}), examples: [], preconditions: ['manageChannel'], handler: noop });
    const editor = defineCommand({ name: 'review', description: 'Review', options: z.object({}), examples: [], audience: 'editors', handler: noop });
    expect(() => buildCommands(registry(clash, editor))).toThrow(/niger-edit is defined twice/);
  });

  it('puts the manageChannel commands in /niger-<group>: Manage Channels by default, servers only; the rest installable by users, in DMs', async () => {
    const bot = await testBot();
    const [root, admin] = buildCommands(bot.registry);
    expect(root).toMatchObject({ contexts: [0, 1, 2], integration_types: [0, 1] });
    expect(root!.default_member_permissions).toBeUndefined();
    expect(admin).toMatchObject({ name: 'niger-digest', default_member_permissions: '16', contexts: [0], integration_types: [0] });
    expect(admin!.default_member_permissions).toBe(MANAGE_CHANNELS);
    // Derived from the preconditions: exactly the subcommands the core refuses without Manage Channels.
    const digest = bot.registry.get('digest');
    const admins = digest && isGroup(digest) ? digest.subcommands.filter(isChannelAdmin).map((d) => d.name) : [];
    expect(admins).toEqual(['subscribe', 'unsubscribe']);
    expect(admin!.options.map((o) => [o.name, o.type])).toEqual([
      ['subscribe', 1],
      ['unsubscribe', 1],
    ]);
    expect(admin!.options[0]!.options!.map((o) => o.name)).toEqual(['time', 'timezone', LANG_OPTION, KNOWN_OPTION]);
    expect(admin!.description).toMatch(/Manage Channels/);
    expect(admin!.description_localizations).toMatchObject({ fr: expect.any(String), de: expect.any(String) });

    // A command outside a group with the precondition gets /niger-<name>, its options directly on it.
    const pause = defineCommand({
      name: 'pause',
      description: 'Pause',
      options: z.object({ days: z.number().int().optional().describe('Days') }),
      examples: [],
      preconditions: ['manageChannel'],
      handler: noop,
    });
    const built = buildCommands(registry(pause, defineCommand({ name: 'ask', description: 'Ask', options: z.object({}), examples: [], handler: noop })));
    expect(built.map((c) => c.name)).toEqual(['niger', 'niger-pause']);
    expect(built[0]!.options.map((o) => o.name)).toEqual(['ask']);
    expect(built[1]!.options.map((o) => o.name)).toEqual(['days', LANG_OPTION, KNOWN_OPTION]);
    expect(built.flatMap((c) => commandViolations(c))).toEqual([]);
  });

  it('offers the countries with figures and the commands as choices where they fit in 25', async () => {
    const bot = await testBot();
    const [root] = buildCommands(bot.registry, { countries: bot.kb.countries() });
    const opt = (s: string, o: string) => root!.options.find((x) => x.name === s)!.options!.find((x) => x.name === o)!;
    expect(opt('troops', 'country').choices!.map((c) => c.value)).toEqual(bot.kb.countries());
    expect(opt('troops', 'country').choices!.map((c) => c.value)).toContain('France');
    expect(opt('troops', 'country').autocomplete).toBeUndefined();
    expect(opt('places', 'country').choices).toHaveLength(bot.kb.countries().length);
    expect(opt('help', 'command').choices!.map((c) => c.value)).toContain('troops');
    expect(commandViolations(root)).toEqual([]);
    // With the knowledge base's names, each country is named in French and German as well.
    const [named] = buildCommands(bot.registry, { countries: countryChoices(bot.kb) });
    const countries = named!.options.find((x) => x.name === 'troops')!.options!.find((x) => x.name === 'country')!.choices!;
    expect(countries.find((c) => c.value === 'France')).toEqual({ name: 'France', name_localizations: { de: 'Frankreich' }, value: 'France' });
    expect(countries.find((c) => c.value === 'United States')).toMatchObject({ name_localizations: { fr: 'États-Unis', de: 'Vereinigte Staaten' } });
    expect(commandViolations(named)).toEqual([]);
    // More than Discord holds: autocomplete stays.
    const many = Array.from({ length: 26 }, (_, i) => `Country ${i}`);
    const [wide] = buildCommands(bot.registry, { countries: many });
    const country = wide!.options.find((x) => x.name === 'troops')!.options!.find((x) => x.name === 'country')!;
    expect(country).toMatchObject({ autocomplete: true });
    expect(country.choices).toBeUndefined();
  });

  it('maps the facts users rely on: autocomplete for country and person, choices, integer ranges, required name', async () => {
    const [root] = buildCommands((await testBot()).registry);
    const sub = (name: string) => root!.options.find((o) => o.name === name)!;
    const opt = (s: string, o: string) => sub(s).options!.find((x) => x.name === o)!;
    expect(opt('troops', 'country')).toMatchObject({ type: 3, autocomplete: true });
    expect(opt('troops', 'show')).toMatchObject({
      type: 3,
      choices: [
        { name: 'figure', value: 'figure' },
        { name: 'history', value: 'history' },
      ],
    });
    expect(opt('troops', 'show').autocomplete).toBeUndefined();
    expect(opt('timeline', 'actor')).toMatchObject({ autocomplete: true });
    expect(opt('timeline', 'topic')).toMatchObject({ autocomplete: true });
    expect(opt('timeline', 'limit')).toMatchObject({ type: 4, min_value: 1, max_value: 50 });
    expect(opt('timeline', 'from').autocomplete).toBeUndefined();
    expect(opt('who', 'name')).toMatchObject({ type: 3, required: true, autocomplete: true, min_length: 1, max_length: 200 });
    expect(opt('places', 'place')).toMatchObject({ autocomplete: true });
  });

  it('turns a group into a SUB_COMMAND_GROUP generically, with required options first and timezone autocomplete', () => {
    const group = defineGroup({
      name: 'alerts',
      description: 'A group that no adapter knows by name',
      subcommands: [
        defineCommand({
          name: 'set',
          description: 'Set something',
          options: z.object({
            timezone: z.string().optional().describe('Zone').meta({ kind: 'timezone' }),
            at: z.string().describe('When').meta({ kind: 'time' }),
            level: z.enum(['low', 'high']).meta({ kind: 'topic' }).describe('Level'),
            ratio: z.number().min(0).max(1).optional().describe('A ratio'),
            loud: z.boolean().optional().describe('Loud?'),
          }),
          examples: [],
          handler: noop,
        }),
        defineCommand({ name: 'clear', description: 'Clear', options: z.object({}), examples: [], handler: noop }),
      ],
    });
    const [root] = buildCommands(registry(group));
    const g = root!.options[0]!;
    expect(g).toMatchObject({ type: 2, name: 'alerts' });
    const set = g.options!.find((o) => o.name === 'set')!;
    expect(set.type).toBe(1);
    expect(set.options!.map((o) => o.name)).toEqual(['at', 'level', 'timezone', 'ratio', 'loud', LANG_OPTION, KNOWN_OPTION]);
    const by = (n: string) => set.options!.find((o) => o.name === n)!;
    expect(by('at')).toMatchObject({ required: true, type: 3 });
    expect(by('at').autocomplete).toBeUndefined(); // time is not an autocomplete kind
    expect(by('timezone')).toMatchObject({ autocomplete: true });
    // Choices win over autocomplete: Discord refuses both.
    expect(by('level').choices).toHaveLength(2);
    expect(by('level').autocomplete).toBeUndefined();
    expect(by('ratio')).toMatchObject({ type: 10, min_value: 0, max_value: 1 });
    expect(by('loud')).toMatchObject({ type: 5 });
    const clear = g.options!.find((o) => o.name === 'clear')!;
    // A subcommand without options of its own still takes the language and `known:`.
    expect(clear.options!.map((o) => o.name)).toEqual([LANG_OPTION, KNOWN_OPTION]);
    expect(commandViolations(root)).toEqual([]);
  });

  it('keeps descriptions within 100 characters', () => {
    const long = 'x'.repeat(150);
    const [root] = buildCommands(
      registry(
        defineCommand({ name: 'wordy', description: long, options: z.object({ a: z.string().optional().describe(long) }), examples: [], handler: noop }),
      ),
    );
    const sub = root!.options[0]!;
    expect(sub.description.length).toBe(COMMAND_LIMITS.description);
    expect(sub.description.endsWith('…')).toBe(true);
    expect(sub.options![0]!.description.length).toBe(100);
  });

  it('refuses what Discord would refuse: bad names, too many subcommands or choices', () => {
    const named = (name: string) => defineCommand({ name, description: 'd', options: z.object({}), examples: [], handler: noop });
    expect(() => buildCommands(registry(named('BadName')))).toThrow(DefinitionError);
    expect(() => buildCommands(registry(named('a'.repeat(33))))).toThrow(DefinitionError);
    expect(() => buildCommands(registry(...Array.from({ length: 26 }, (_, i) => named(`c${i}`))))).toThrow(/25/);
    const camel = defineCommand({ name: 'ok', description: 'd', options: z.object({ someOption: z.string().optional() }), examples: [], handler: noop });
    expect(() => buildCommands(registry(camel))).toThrow(/someOption/);
    const choices = defineCommand({
      name: 'many',
      description: 'd',
      options: z.object({ pick: z.enum(Array.from({ length: 26 }, (_, i) => `v${i}`) as [string, ...string[]]).optional() }),
      examples: [],
      handler: noop,
    });
    expect(() => buildCommands(registry(choices))).toThrow(/choices/);
  });

  it('compares with what Discord returns, ignoring the fields Discord adds', async () => {
    const wanted = buildCommands((await testBot()).registry);
    expect(diffCommands([], wanted)).toEqual({ added: ['niger', 'niger-digest', 'niger-edit'], removed: [], changed: [] });
    // What Discord's GET returns: our JSON plus ids, version, defaults.
    const remote = JSON.parse(JSON.stringify(wanted)).map((c: Record<string, unknown>) => ({
      id: '1190000000000000999',
      application_id: '1190000000000000001',
      version: '1190000000000001000',
      default_member_permissions: null,
      dm_permission: true,
      contexts: null,
      integration_types: [0],
      nsfw: false,
      ...c,
    }));
    expect(isUnchanged(diffCommands(remote, wanted))).toBe(true);
    // Registered before contexts and integration types were set: Discord's defaults differ, so it is rewritten.
    const older = JSON.parse(JSON.stringify(remote));
    older[0].contexts = null;
    older[0].integration_types = [0];
    expect(diffCommands(older, wanted).changed).toEqual(['niger']);
    const edited = JSON.parse(JSON.stringify(remote));
    edited[0].options[1].description = 'changed';
    expect(diffCommands(edited, wanted)).toEqual({ added: [], removed: [], changed: ['niger'] });
    expect(diffCommands([...remote, { name: 'old', description: 'gone', type: 1 }], wanted).removed).toEqual(['old']);
  });
});

describe('reading interactions', () => {
  it('reads a subcommand, a group subcommand and the focused option', () => {
    expect(readInvocation(commandOptions('troops', { country: 'France', date: '2023-09' }))).toEqual({
      path: 'troops',
      options: { country: 'France', date: '2023-09' },
    });
    expect(readInvocation(commandOptions('digest subscribe', { time: '08:00', timezone: 'Europe/Paris' }))).toEqual({
      path: 'digest subscribe',
      options: { time: '08:00', timezone: 'Europe/Paris' },
    });
    expect(readInvocation(commandOptions('timeline', { limit: 5, actor: 'tia' }, 'actor'))).toEqual({
      path: 'timeline',
      options: { limit: 5, actor: 'tia' },
      focused: { name: 'actor', value: 'tia' },
    });
    expect(readInvocation(commandOptions('digest status'))).toEqual({ path: 'digest status', options: {} });
  });

  it('reads /niger-digest subscribe as the core’s `digest subscribe`, and knows which commands are ours', () => {
    expect(pathPrefix('niger')).toBe('');
    expect(pathPrefix('niger-digest')).toBe('digest');
    expect(pathPrefix('other')).toBeUndefined();
    expect(pathPrefix('niger-')).toBeUndefined();
    expect(readInvocation(commandOptions('subscribe', { time: '08:00' }), 'digest')).toEqual({ path: 'digest subscribe', options: { time: '08:00' } });
    expect(readInvocation(commandOptions('', { days: 3 }), 'pause')).toEqual({ path: 'pause', options: { days: 3 } });
  });

  it('Manage Channels or Administrator in the member bitfield may change channel settings; nothing else, and not in DMs', () => {
    expect(canManageChannel(MEMBER_PERMISSIONS)).toBe(false);
    expect(canManageChannel(MANAGE_CHANNELS)).toBe(true);
    expect(canManageChannel(ADMINISTRATOR)).toBe(true);
    expect(canManageChannel((BigInt(MEMBER_PERMISSIONS) | BigInt(MANAGE_CHANNELS)).toString())).toBe(true);
    expect(canManageChannel(null)).toBe(false);
    expect(canManageChannel(undefined)).toBe(false);
    expect(canManageChannel('not a number')).toBe(false);
  });
});

describe('Discord command localizations', () => {
  /** Every node of /niger that has a description: the root, groups, subcommands, options. */
  function nodes(c: { name: string; description: string; description_localizations?: Record<string, string>; options?: any[] }, path = ''): any[] {
    const here = { path: path || c.name, ...c };
    return [here, ...(c.options ?? []).flatMap((o) => nodes(o, `${path || c.name} ${o.name}`))];
  }

  it('/niger, every group, subcommand and option has a French and a German description, within Discord’s limits', async () => {
    const bot = await testBot();
    const [root] = buildCommands(bot.registry);
    const all = nodes(root!);
    expect(all.length).toBeGreaterThan(40);
    for (const n of all) {
      const loc = n.description_localizations as Record<string, string> | undefined;
      expect(loc, n.path).toBeDefined();
      for (const locale of ['fr', 'de']) {
        expect(loc![locale], `${n.path} (${locale})`).toBeTruthy();
        expect(loc![locale]!.length).toBeLessThanOrEqual(COMMAND_LIMITS.description);
        expect(loc![locale], `${n.path} (${locale}) is still English`).not.toBe(n.description);
      }
      // Only Discord locales, and only for languages with a catalog.
      for (const locale of Object.keys(loc!)) expect(['fr', 'de']).toContain(locale);
    }
    const troops = root!.options.find((o) => o.name === 'troops')!;
    expect(troops.description_localizations!.fr).toMatch(/soldats étrangers/);
    expect(troops.description_localizations!.de).toMatch(/ausländische Soldaten/);
    // The language option offers the catalog languages, each by its own name.
    const lang = troops.options!.find((o) => o.name === LANG_OPTION)!;
    expect(lang.choices).toEqual([
      { name: 'English', value: 'en' },
      { name: 'Deutsch', value: 'de' },
      { name: 'Français', value: 'fr' },
    ]);
    expect(commandViolations(root)).toEqual([]);
  });

  it('every group, subcommand and option has a French and a German name Discord accepts, unique among its siblings', async () => {
    const bot = await testBot();
    const [root] = buildCommands(bot.registry);
    const below = nodes(root!).slice(1);
    for (const n of below) {
      const names = n.name_localizations as Record<string, string> | undefined;
      for (const locale of ['fr', 'de']) {
        const name = names?.[locale] ?? n.name;
        expect(name, `${n.path} (${locale})`).toMatch(/^[-_\p{L}\p{N}]{1,32}$/u);
        expect(name).toBe(name.toLowerCase());
      }
    }
    const troops = root!.options.find((o) => o.name === 'troops')!;
    expect(troops.name_localizations).toEqual({ de: 'truppen', fr: 'troupes' });
    expect(troops.options!.find((o) => o.name === 'country')!.name_localizations).toEqual({ de: 'land', fr: 'pays' });
    // Siblings keep distinct names in each language: Discord refuses two options of one name.
    const siblings = (list: { name: string; name_localizations?: Record<string, string> }[]) => {
      for (const locale of ['fr', 'de']) {
        const shown = list.map((o) => o.name_localizations?.[locale] ?? o.name);
        expect(new Set(shown).size, `${locale}: ${shown.join(', ')}`).toBe(shown.length);
      }
    };
    const walk = (list: any[]) => {
      siblings(list);
      for (const o of list) if (o.options) walk(o.options);
    };
    walk(root!.options);
  });

  it('a changed name translation is a change to register', async () => {
    const bot = await testBot();
    const wanted = buildCommands(bot.registry);
    const changed = JSON.parse(JSON.stringify(wanted));
    changed[0].options.find((o: { name: string }) => o.name === 'troops').name_localizations.fr = 'soldats';
    expect(diffCommands(changed, wanted).changed).toEqual([ROOT_COMMAND]);
  });

  it('a changed or missing translation is a change to register; the same ones in another order are not', async () => {
    const bot = await testBot();
    const wanted = buildCommands(bot.registry);
    const reordered = JSON.parse(JSON.stringify(wanted), (key, value) =>
      key === 'description_localizations' ? Object.fromEntries(Object.entries(value as Record<string, string>).reverse()) : value,
    );
    expect(isUnchanged(diffCommands(reordered, wanted))).toBe(true);
    const changed = JSON.parse(JSON.stringify(wanted));
    changed[0].options[0].description_localizations.fr = 'Ancienne description';
    expect(diffCommands(changed, wanted).changed).toEqual([ROOT_COMMAND]);
    const { description_localizations: _gone, ...withoutRoot } = wanted[0]!;
    expect(diffCommands([withoutRoot as never], wanted).changed).toEqual([ROOT_COMMAND]);
  });
});
