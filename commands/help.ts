import { z } from 'zod';
import { defineCommand, isGroup, optionSpecs, type CommandDefinition } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { closest } from '../src/core/registry.ts';
import { quote } from '../src/core/sanitize.ts';

function describeOptions(def: CommandDefinition): string[] {
  return optionSpecs(def.options).map((o) => {
    const extra = [
      o.required ? 'required' : 'optional',
      o.choices ? `one of ${o.choices.join(', ')}` : null,
      o.default !== undefined ? `default ${String(o.default)}` : null,
    ].filter(Boolean);
    return `${o.name}: ${o.description} (${extra.join('; ')})`;
  });
}

export default defineCommand({
  name: 'help',
  description: 'What the bot can answer, and how to ask',
  options: z.object({
    command: z.string().max(60).optional().describe('A command to explain, e.g. troops').meta({ kind: 'text' }),
  }),
  examples: ['help', 'help troops'],
  cacheable: true,
  handler(input, ctx) {
    const registry = ctx.registry;
    if (input.command) {
      const name = input.command.trim().toLowerCase();
      const mod = registry.get(name.split(' ')[0]!);
      if (!mod) {
        const guess = closest(name, registry.list().map((m) => m.name));
        return reply({
          command: 'help',
          kind: 'help',
          title: 'Help',
          body: `There is no command "${quote(name, 30)}".${guess ? ` Did you mean \`${guess}\`?` : ''}`,
          items: registry.list().map((m) => `${m.name} — ${m.description}`),
          visibility: 'ephemeral',
          answered: false,
        });
      }
      const defs = isGroup(mod) ? mod.subcommands.map((d) => ({ path: `${mod.name} ${d.name}`, def: d })) : [{ path: mod.name, def: mod }];
      return reply({
        command: 'help',
        kind: 'help',
        title: `Help — ${mod.name}`,
        body: mod.description,
        items: defs.flatMap(({ path, def }) => [
          `${path} — ${def.description}`,
          ...describeOptions(def).map((o) => `    ${o}`),
          ...def.examples.map((e) => `    e.g. ${e}`),
        ]),
        visibility: 'ephemeral',
      });
    }
    return reply({
      command: 'help',
      kind: 'help',
      title: 'Niger Watch — help',
      body:
        'Sourced, dated answers about the 2023 coup in Niger and the withdrawal of foreign troops. ' +
        'Type a command with options as `name:value` or just words (`troops France 2023-09`), or ask a plain question ' +
        '(`how many French soldiers were in Niger in September 2023?`). Every answer gives its date and sources.',
      items: registry.list().map((m) =>
        isGroup(m)
          ? `${m.name} ${m.subcommands.map((s) => s.name).join('|')} — ${m.description}`
          : `${m.name} — ${m.description}${m.examples[1] ?? m.examples[0] ? ` (e.g. \`${m.examples[1] ?? m.examples[0]}\`)` : ''}`,
      ),
      notes: ['`help <command>` shows its options.'],
      visibility: 'ephemeral',
    });
  },
});
