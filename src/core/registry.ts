import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { distance } from 'fastest-levenshtein';
import { isGroup, KNOWN_OPTION, LANG_OPTION, optionSpecs, type CommandDefinition, type CommandGroup, type CommandModule } from './command.ts';

export const DEFAULT_COMMANDS_DIR = fileURLToPath(new URL('../../commands', import.meta.url));

/** The commands of the bot, found by scanning `commands/`: one file a command, none registered by hand. */
export class CommandRegistry {
  private readonly byName = new Map<string, CommandModule>();

  constructor(modules: CommandModule[]) {
    for (const m of modules) {
      if (this.byName.has(m.name)) throw new Error(`Two commands are named "${m.name}"`);
      for (const def of isGroup(m) ? m.subcommands : [m]) {
        for (const core of [LANG_OPTION, KNOWN_OPTION]) {
          if (optionSpecs(def.options).some((o) => o.name === core)) {
            throw new Error(`Command "${m.name}" declares "${core}", which every command already takes (see command.ts)`);
          }
        }
      }
      this.byName.set(m.name, m);
    }
  }

  static async discover(dir: string = DEFAULT_COMMANDS_DIR): Promise<CommandRegistry> {
    const files = readdirSync(dir)
      .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_'))
      .sort();
    const modules: CommandModule[] = [];
    for (const file of files) {
      const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: CommandModule };
      if (!mod.default || typeof mod.default.name !== 'string') {
        throw new Error(`commands/${file} must export a command definition as its default export`);
      }
      modules.push(mod.default);
    }
    return new CommandRegistry(modules);
  }

  /** Top-level commands and groups in display order (help first, then alphabetical). */
  list(): CommandModule[] {
    return [...this.byName.values()].sort((a, b) => (a.name === 'help' ? -1 : b.name === 'help' ? 1 : a.name.localeCompare(b.name)));
  }

  get(name: string): CommandModule | undefined {
    return this.byName.get(name);
  }

  /** Resolves "troops" or "digest subscribe" to a runnable definition. */
  resolve(path: string): CommandDefinition | undefined {
    const [name, sub] = path.split(' ');
    const mod = this.byName.get(name ?? '');
    if (!mod) return undefined;
    if (!isGroup(mod)) return sub ? undefined : mod;
    return mod.subcommands.find((s) => s.name === sub);
  }

  /** Every runnable command with its full path ("digest subscribe"). */
  runnable(): { path: string; def: CommandDefinition; group?: CommandGroup }[] {
    return this.list().flatMap((m) =>
      isGroup(m) ? m.subcommands.map((def) => ({ path: `${m.name} ${def.name}`, def, group: m })) : [{ path: m.name, def: m }],
    );
  }
}

/** The closest candidate within a small edit distance, for "did you mean …". */
export function closest(word: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
  let best: { c: string; d: number } | undefined;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d <= Math.min(maxDistance, Math.max(1, Math.floor(c.length / 2))) && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}
