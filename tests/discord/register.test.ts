import { join } from 'node:path';
import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommands, countryChoices, type CommandJSON } from '../../src/adapters/discord/definitions.ts';
import { describeRegistration, registerCommands } from '../../src/adapters/discord/register.ts';
import { discordRestOptions } from '../../src/adapters/discord/rest.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import { testBot } from '../helpers/bot.ts';
import { APPLICATION_ID, GUILD_ID, TEST_TOKEN } from './harness.ts';
import { ROOT, runJs } from './spawn.ts';

const REGISTER_JS = join(ROOT, 'dist/src/adapters/discord/register-cli.js'); // what `npm run discord:register` runs

let fake: FakeDiscord;
let rest: REST;
let commands: CommandJSON[];

beforeAll(async () => {
  fake = await startFakeDiscord({ token: TEST_TOKEN, applicationId: APPLICATION_ID });
  rest = new REST(discordRestOptions({ apiUrl: fake.apiUrl })).setToken(TEST_TOKEN);
  const bot = await testBot();
  commands = buildCommands(bot.registry, { countries: countryChoices(bot.kb) });
});

afterAll(async () => {
  await fake?.close();
});

const puts = (route: string) => fake.requests.filter((r) => r.route === route && r.method === 'PUT');
const GUILD_ROUTE = 'PUT /applications/:app/guilds/:guild/commands';
const GLOBAL_ROUTE = 'PUT /applications/:app/commands';

describe('command registration', () => {
  it('for a guild: the PUT body equals the definitions; a second run with no change writes nothing', async () => {
    const first = await registerCommands({ rest, applicationId: APPLICATION_ID, guildId: GUILD_ID, commands });
    expect(first).toMatchObject({ scope: 'guild', written: true, diff: { added: ['niger', 'niger-digest', 'niger-edit'], removed: [], changed: [] } });
    const [put] = puts(GUILD_ROUTE);
    expect(put!.path).toBe(`/applications/${APPLICATION_ID}/guilds/${GUILD_ID}/commands`);
    expect(put!.status).toBe(200); // the fake validates like Discord (names, lengths, required first, choices vs autocomplete)
    expect(put!.body).toEqual(JSON.parse(JSON.stringify(commands)));

    const before = fake.requests.length;
    const second = await registerCommands({ rest, applicationId: APPLICATION_ID, guildId: GUILD_ID, commands });
    expect(second.written).toBe(false);
    expect(puts(GUILD_ROUTE)).toHaveLength(1);
    expect(fake.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
    expect(describeRegistration(second, commands)).toMatch(/up to date.*Nothing written/);
  });

  it('registers the French and German descriptions, reads them back (with_localizations) and rewrites only when one changed', async () => {
    await registerCommands({ rest, applicationId: APPLICATION_ID, guildId: GUILD_ID, commands });
    const stored = fake.commands(GUILD_ID)[0]!;
    expect(stored.description_localizations).toMatchObject({ fr: expect.stringMatching(/coup d’État/), de: expect.stringMatching(/Putsch/) });
    const troops = stored.options.find((o: { name: string }) => o.name === 'troops');
    expect(troops.options.find((o: { name: string }) => o.name === 'country').description_localizations.de).toMatch(/Wessen Truppen/);
    const before = fake.requests.length;
    expect((await registerCommands({ rest, applicationId: APPLICATION_ID, guildId: GUILD_ID, commands })).written).toBe(false);
    const [get] = fake.requests.slice(before);
    expect(get).toMatchObject({ method: 'GET', query: { with_localizations: 'true' } });

    const retranslated = JSON.parse(JSON.stringify(commands)) as CommandJSON[];
    retranslated[0]!.options[0]!.description_localizations!.de = 'Eine neue Übersetzung';
    const r = await registerCommands({ rest, applicationId: APPLICATION_ID, guildId: GUILD_ID, commands: retranslated });
    expect(r).toMatchObject({ written: true, diff: { changed: ['niger'] } });
    expect((await registerCommands({ rest, applicationId: APPLICATION_ID, guildId: GUILD_ID, commands })).written).toBe(true);
  });

  it('a changed definition is written again, and a stale command on Discord is removed', async () => {
    const changed = JSON.parse(JSON.stringify(commands)) as CommandJSON[];
    changed[0]!.options[0]!.description = 'A changed description';
    const r1 = await registerCommands({ rest, applicationId: APPLICATION_ID, guildId: GUILD_ID, commands: changed });
    expect(r1).toMatchObject({ written: true, diff: { changed: ['niger'] } });
    const withStale = await registerCommands({
      rest,
      applicationId: APPLICATION_ID,
      guildId: GUILD_ID,
      commands: [...commands, { type: 1, name: 'stale', description: 'old', options: [] }],
    });
    expect(withStale.written).toBe(true);
    const r2 = await registerCommands({ rest, applicationId: APPLICATION_ID, guildId: GUILD_ID, commands });
    expect(r2).toMatchObject({ written: true, diff: { added: [], removed: ['stale'], changed: [] } });
    expect(fake.commands(GUILD_ID).map((c) => c.name)).toEqual(['niger', 'niger-digest', 'niger-edit']);
  });

  it('without a guild id it registers globally', async () => {
    const result = await registerCommands({ rest, applicationId: APPLICATION_ID, commands });
    expect(result).toMatchObject({ scope: 'global', written: true });
    expect(puts(GLOBAL_ROUTE)).toHaveLength(1);
    expect(fake.commands().map((c) => c.name)).toEqual(['niger', 'niger-digest', 'niger-edit']);
    expect((await registerCommands({ rest, applicationId: APPLICATION_ID, commands })).written).toBe(false);
  });

  it('a dry run compares but never writes', async () => {
    const fresh = await startFakeDiscord({ token: TEST_TOKEN, applicationId: APPLICATION_ID });
    try {
      const r = new REST(discordRestOptions({ apiUrl: fresh.apiUrl })).setToken(TEST_TOKEN);
      const result = await registerCommands({ rest: r, applicationId: APPLICATION_ID, commands, dryRun: true });
      expect(result).toMatchObject({ written: false, diff: { added: ['niger', 'niger-digest', 'niger-edit'] } });
      expect(fresh.requests.map((q) => q.method)).toEqual(['GET']);
      expect(describeRegistration(result, commands, true)).toContain('dry run');
    } finally {
      await fresh.close();
    }
  });
});

describe('npm run discord:register (the CLI, end to end)', () => {
  const env = () => ({
    DISCORD_TOKEN: TEST_TOKEN,
    DISCORD_APPLICATION_ID: APPLICATION_ID,
    DISCORD_GUILD_ID: '1190000000000000555',
    DISCORD_API_URL: fake.apiUrl,
  });
  const route = 'PUT /applications/:app/guilds/:guild/commands';
  const cliPuts = () => fake.requests.filter((r) => r.route === route && r.path.includes('1190000000000000555'));

  it('registers for DISCORD_GUILD_ID, then reports "up to date" without writing', async () => {
    const first = runJs(REGISTER_JS, env());
    expect(await first.exit, first.stderr()).toBe(0);
    expect(first.stdout()).toContain('Registered Discord commands for guild 1190000000000000555');
    expect(cliPuts()).toHaveLength(1);
    expect(cliPuts()[0]!.body).toEqual(JSON.parse(JSON.stringify(commands)));

    const second = runJs(REGISTER_JS, env());
    expect(await second.exit, second.stderr()).toBe(0);
    expect(second.stdout()).toContain('up to date');
    expect(cliPuts()).toHaveLength(1);
    expect(first.stdout() + first.stderr() + second.stdout() + second.stderr()).not.toContain(TEST_TOKEN);
  }, 60_000);

  it('a refused token is reported naming DISCORD_TOKEN', async () => {
    const run = runJs(REGISTER_JS, { ...env(), DISCORD_TOKEN: 'MTE5MDAwMDAwMDAwMDAwMDAwMg.WrOnGx.wrongwrongwrongwrongwrongwrongwrong' });
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain('DISCORD_TOKEN');
    expect(run.stderr()).not.toContain('wrongwrong');
  }, 60_000);
});
