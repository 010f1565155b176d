import { z } from 'zod';
import { defineCommand, isGroup, KNOWN_OPTION, LANG_OPTION, optionSpecs, type CommandContext, type CommandDefinition } from '../src/core/command.ts';
import { catalogs, commandDescription, optionDescription } from '../src/core/i18n.ts';
import { reply } from '../src/core/reply.ts';
import { closest } from '../src/core/registry.ts';
import { quote } from '../src/core/sanitize.ts';

function describeOptions(def: CommandDefinition, path: string, ctx: CommandContext): string[] {
  return optionSpecs(def.options).map((o) => {
    const extra = [
      ctx.t(o.required ? 'help.required' : 'help.optional'),
      o.choices ? ctx.t('help.oneOf', { choices: o.choices.join(', ') }) : null,
      o.default !== undefined ? ctx.t('help.default', { value: String(o.default) }) : null,
    ].filter(Boolean);
    return ctx.t('help.option', {
      name: o.name,
      description: optionDescription(ctx.lang, path, o.name, o.description),
      extras: extra.join(ctx.t('help.extrasSeparator')),
    });
  });
}

/** Who may run a command, from its declared preconditions: " (editors only)". */
function whoMay(def: CommandDefinition, ctx: CommandContext): string {
  const names = (def.preconditions ?? []).map((p) => ctx.t(`help.precondition.${typeof p === 'string' ? p : p.name}`));
  return names.length ? ` (${names.join(ctx.t('help.extrasSeparator'))})` : '';
}

export default defineCommand({
  name: 'help',
  description: 'What the bot can answer, and how to ask',
  options: z.object({
    command: z.string().max(60).optional().describe('A command to explain, e.g. troops').meta({ kind: 'command' }),
  }),
  examples: ['help', 'help troops'],
  cacheable: true,
  handler(input, ctx) {
    const registry = ctx.registry;
    const describe = (path: string, english: string) => commandDescription(ctx.lang, path, english);
    const langNote = ctx.t('help.lang', { option: LANG_OPTION, choices: catalogs().languages().join('|') });
    const knownNote = ctx.t('help.known', { option: KNOWN_OPTION });
    if (input.command) {
      const name = input.command.trim().toLowerCase();
      const mod = registry.get(name.split(' ')[0]!);
      if (!mod) {
        const guess = closest(
          name,
          registry.list().map((m) => m.name),
        );
        return reply({
          command: 'help',
          kind: 'help',
          title: ctx.t('help.title.short'),
          body: guess ? ctx.t('error.noCommand.guess', { name: quote(name, 30), guess }) : ctx.t('error.noCommand', { name: quote(name, 30) }),
          items: registry.list().map((m) => `${m.name} — ${describe(m.name, m.description)}`),
          visibility: 'ephemeral',
          answered: false,
        });
      }
      const defs = isGroup(mod) ? mod.subcommands.map((d) => ({ path: `${mod.name} ${d.name}`, def: d })) : [{ path: mod.name, def: mod }];
      return reply({
        command: 'help',
        kind: 'help',
        title: ctx.t('help.title.command', { name: mod.name }),
        body: describe(mod.name, mod.description),
        items: defs.flatMap(({ path, def }) => [
          `${path} — ${describe(path, def.description)}${whoMay(def, ctx)}`,
          ...describeOptions(def, path, ctx).map((o) => `    ${o}`),
          ...def.examples.map((e) => `    ${ctx.t('help.example', { example: e })}`),
        ]),
        notes: [langNote, knownNote],
        visibility: 'ephemeral',
      });
    }
    return reply({
      command: 'help',
      kind: 'help',
      title: ctx.t('help.title'),
      body: ctx.t('help.body'),
      items: registry.list().map((m) => {
        if (isGroup(m)) return `${m.name} ${m.subcommands.map((s) => s.name).join('|')} — ${describe(m.name, m.description)}`;
        const example = m.examples[1] ?? m.examples[0];
        const line = `${m.name} — ${describe(m.name, m.description)}`;
        return example ? ctx.t('help.entry.example', { line, example }) : line;
      }),
      notes: [ctx.t('help.more'), langNote, knownNote],
      visibility: 'ephemeral',
    });
  },
});
