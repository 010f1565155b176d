// Bolt first, as in a bot with both platforms: loading it loads @slack/socket-mode and its undici 7, which
// installs its own Agent as the process-wide dispatcher (the trap this file is about).
import '@slack/bolt';
import { randomBytes } from 'node:crypto';
import { REST, Routes } from 'discord.js';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordRestOptions } from '../../src/adapters/discord/rest.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';

const TOKEN = `${'A'.repeat(24)}.${'B'.repeat(6)}.${'C'.repeat(27)}`;
const CHANNEL = '1190000000000003001';
let fake: FakeDiscord;

beforeAll(async () => {
  fake = await startFakeDiscord({ token: TOKEN });
});

afterAll(async () => {
  await fake?.close();
});

/** Bytes that a text round trip would break: NUL, CR LF, a boundary-like dash run, invalid UTF-8. */
function awkwardBytes(): Buffer {
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe]),
    Buffer.from('\r\n------formdata\r\n'),
    randomBytes(64 * 1024),
  ]);
}

describe('Discord uploads with Bolt loaded in the same process', () => {
  it('the trap is live here: the global dispatcher is not undici 6 and discord.js left on it cannot upload', async () => {
    // If this ever fails, the dependency tree no longer sets the trap, and the test below proves less.
    const global = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')];
    expect(global).toBeDefined();
    expect(global).not.toBeInstanceOf(Agent);
    const defaults = new REST({ api: fake.apiUrl, version: '10', retries: 0 }).setToken(TOKEN);
    await expect(
      defaults.post(Routes.channelMessages(CHANNEL), { body: { content: 'x' }, files: [{ name: 'a.bin', data: Buffer.from([1, 2, 3]) }] }),
    ).rejects.toThrow(/action is not a function/);
  });

  it('the bot’s REST client sends a message with a file, and the fake receives the bytes intact', async () => {
    const rest = new REST(discordRestOptions({ apiUrl: fake.apiUrl })).setToken(TOKEN);
    const png = awkwardBytes();
    const sent = (await rest.post(Routes.channelMessages(CHANNEL), {
      body: { content: 'French troops in Niger', attachments: [{ id: 0, filename: 'troops.png' }] },
      files: [{ name: 'troops.png', data: png, contentType: 'image/png' }],
    })) as { id: string; attachments: { filename: string; size: number; content_type: string }[] };
    const req = await fake.waitFor((r) => r.route === 'POST /channels/:id/messages' && r.status === 200 && r.response?.id === sent.id);
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req.body.content).toBe('French troops in Niger');
    expect(req.files).toHaveLength(1);
    const [file] = req.files!;
    expect(file!.field).toBe('files[0]');
    expect(file!.filename).toBe('troops.png');
    expect(file!.contentType).toBe('image/png');
    expect(file!.data.equals(png)).toBe(true);
    expect(sent.attachments).toEqual([expect.objectContaining({ filename: 'troops.png', size: png.length, content_type: 'image/png' })]);
    expect(fake.channelMessages(CHANNEL).at(-1)?.attachments).toHaveLength(1);
  });

  it('the fake refuses an upload Discord would refuse: an attachment that names no file', async () => {
    const rest = new REST({ ...discordRestOptions({ apiUrl: fake.apiUrl }), retries: 0 }).setToken(TOKEN);
    await expect(
      rest.post(Routes.channelMessages(CHANNEL), {
        body: { content: 'x', attachments: [{ id: 3, filename: 'a.png' }] },
        files: [{ name: 'a.png', data: Buffer.from([1]) }],
      }),
    ).rejects.toMatchObject({ status: 400, code: 50035 });
  });
});
