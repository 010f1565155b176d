// Charts on Discord, real discord.js against the fake: the answer carries its PNG as an attachment (multipart,
// `files[0]`), named in `attachments` with its alt text, and shown in the embed as `attachment://name`; the same when
// the answer comes after a deferral (an edit of @original). The bytes that reach the fake decode as the PNG.
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartService } from '../../src/charts/service.ts';
import type { Bot } from '../../src/core/bot.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { visibleText } from '../fakes/discord.ts';
import { interactionFor, startHarness, type Harness } from './harness.ts';

let bot: Bot;
let h: Harness;
let slow: Harness;

beforeAll(async () => {
  bot = await testBot({ services: { charts: chartService() } });
  // Drawn once before the interactions, so the first answer is not deferred by the chart libraries' first load.
  await bot.handleText('troops France history', TEST_CALLER);
  h = await startHarness(bot);
  slow = await startHarness(bot, { adapter: { deferAfterMs: 0 } });
});

afterAll(async () => {
  await h?.close();
  await slow?.close();
});

function decode(data: Buffer): PNG {
  return PNG.sync.read(data);
}

describe('Discord answers with a chart', () => {
  it('the interaction response uploads the PNG, names it with its alt text and shows it in the embed', async () => {
    const expected = await bot.handleText('troops France history', TEST_CALLER);
    const chart = expected.attachments![0]!;
    const { path, options } = interactionFor(bot, 'troops France history');
    const result = await h.fake.dispatchInteraction({ path, options }).result();
    expect(result.deferred).toBe(false);
    expect(result.callback.status).toBe(204);
    expect(result.callback.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(result.callback.body.type).toBe(4);
    const [file] = result.callback.files!;
    expect(file!.field).toBe('files[0]');
    expect(file!.filename).toBe('troops-france-history.png');
    expect(file!.contentType).toBe('image/png');
    expect(file!.data.equals(Buffer.from(chart.bytes))).toBe(true);
    expect(decode(file!.data).width).toBeGreaterThan(600);
    expect(result.message.attachments).toEqual([{ id: 0, filename: 'troops-france-history.png', description: chart.alt.slice(0, 1024) }]);
    expect(result.message.embeds[0].image).toEqual({ url: 'attachment://troops-france-history.png' });
    // The text is all there besides the picture.
    expect(visibleText(result.message)).toContain('about 1,500');
    expect(result.message.allowed_mentions).toEqual({ parse: [] });
  });

  it('after a deferral, the edit of the answer carries the chart the same way (discord.js message options)', async () => {
    const { path, options } = interactionFor(bot, 'places');
    const result = await slow.fake.dispatchInteraction({ path, options }).result();
    expect(result.deferred).toBe(true);
    const edit = result.requests.find((r) => r.route === 'PATCH /webhooks/:app/:token/messages/@original')!;
    expect(edit.status).toBe(200);
    const [file] = edit.files!;
    expect(file!.filename).toBe('foreign-bases-niger.png');
    expect(decode(file!.data).height).toBeGreaterThan(400);
    expect(edit.body.attachments).toEqual([expect.objectContaining({ id: '0', description: expect.stringMatching(/^Map of Niger/) })]);
    expect(edit.body.embeds[0].image).toEqual({ url: 'attachment://foreign-bases-niger.png' });
    expect(result.message.attachments).toEqual([expect.objectContaining({ filename: 'foreign-bases-niger.png', content_type: 'image/png' })]);
  });

  it('where the bot may not attach files (app_permissions without Attach Files) the answer goes as text, without the image', async () => {
    const { path, options } = interactionFor(bot, 'troops France history');
    const noAttach = BigInt('2248473465835073') & ~(1n << 15n);
    const result = await h.fake.dispatchInteraction({ path, options, appPermissions: noAttach }).result();
    // Had it sent the file, the fake would have answered 403 Missing Permissions (50013), as Discord does.
    expect(result.callback.status).toBe(204);
    expect(result.callback.files ?? []).toHaveLength(0);
    expect(result.message.attachments).toBeUndefined();
    expect(result.message.embeds[0].image).toBeUndefined();
    expect(visibleText(result.message)).toContain('about 1,500');
  });

  it('an answer without a chart is still one JSON body, as before', async () => {
    const { path, options } = interactionFor(bot, 'troops France 2023-09');
    const result = await h.fake.dispatchInteraction({ path, options }).result();
    expect(result.callback.headers['content-type']).toBe('application/json');
    expect(result.callback.files ?? []).toHaveLength(0);
    expect(result.message.embeds[0].image).toBeUndefined();
  });
});
