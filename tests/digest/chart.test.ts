// The digest's chart: which digests have one (those whose troop figures changed), in the digest's language, and how the
// shell shows it (a PNG written where it says). The Slack and Discord uploads are in e2e-slack / e2e-discord.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createShellPoster } from '../../src/adapters/shell/poster.ts';
import { saveCharts } from '../../src/adapters/shell/shell.ts';
import { chartService } from '../../src/charts/service.ts';
import { renderText } from '../../src/core/render-text.ts';
import { buildDigest } from '../../src/digest/content.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import type { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { at, makeScheduler, RecordingPoster, testKb, withApproved } from './helpers.ts';

const APPROVED = '2026-11-30T12:00:00Z';

describe('which digests carry a chart', () => {
  const since = () => testKb().newestKnown();

  it('the first digest and a digest with no figure changed have none', () => {
    expect(buildDigest(testKb(), { localDate: '2026-11-30', since: null }).chart).toBeNull();
    expect(buildDigest(testKb(), { localDate: '2026-12-01', since: since() }).chart).toBeNull();
    // An approval does not make the first digest (no figure is listed as new there) carry one.
    expect(buildDigest(withApproved(testKb(), 'italy-2023-08-06', APPROVED), { localDate: '2026-12-01', since: null }).chart).toBeNull();
  });

  it('a figure approved since the previous digest: the chart of that country’s whole history, every figure in its alt text', () => {
    const kb = withApproved(testKb(), 'italy-2023-08-06', APPROVED);
    const { chart, reply } = buildDigest(kb, { localDate: '2026-12-01', since: since() });
    expect(reply.items[0]).toMatch(/^New figure, approved 30 November 2026: Italian troops/);
    expect(chart).toMatchObject({ name: 'digest-troops-italy.png', request: { countries: ['Italy'] } });
    expect(chart!.alt).toMatch(/^Line chart: Troop figures in Niger: Italy\./);
    expect(chart!.alt.split('; ')).toHaveLength(kb.troopHistory('Italy').length);
    expect(chart!.caption).toMatch(/Sources: .+\.$/);
    // The digest's own text is the same with or without the chart.
    expect(reply.attachments).toBeUndefined();
  });

  it('two countries changed: both on one chart; in French, its words in French', () => {
    let kb = withApproved(testKb(), 'italy-2023-08-06', APPROVED);
    kb = withApproved(kb, 'germany-2024-07', APPROVED);
    const { chart } = buildDigest(kb, { localDate: '2026-12-01', since: since(), lang: 'fr' });
    expect([...chart!.request.countries!].sort()).toEqual(['Germany', 'Italy']);
    expect(chart!.alt).toMatch(/Effectifs militaires étrangers au Niger : (Allemagne et Italie|Italie et Allemagne)/);
    expect(chart!.caption).toMatch(/Sources/);
  });
});

describe('the shell prints a changed digest, then where its chart was written', () => {
  let db: TestDb;
  let dir: string;
  beforeEach(async () => {
    db = await sqliteBackend.open();
    dir = await mkdtemp(join(tmpdir(), 'digest-chart-'));
  });
  afterEach(async () => {
    await db?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('the digest once, then “Chart: …png”, a real PNG at that path', async () => {
    let out = '';
    const output = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const poster = createShellPoster(
      output,
      renderText,
      () => {},
      (r) => saveCharts(r, dir),
    );
    const channel = { platform: 'shell', channelId: 'desk' };
    const service = new StoreDigestService(db.store, testKb());
    await service.subscribe(channel, { time: '08:00', timeZone: 'Africa/Niamey' }, 'me', at('2026-11-30T06:00:00Z'));
    let kb: KnowledgeBase = testKb();
    const scheduler = makeScheduler(db.store, [poster], { kb: () => kb, charts: chartService() });
    await scheduler.tick(at('2026-11-30T07:00:00Z'));
    expect(out).not.toContain('Chart:');
    kb = withApproved(testKb(), 'italy-2023-08-06', APPROVED);
    out = '';
    await scheduler.tick(at('2026-12-01T07:00:00Z'));
    expect(out.match(/\[digest for #desk\]/g)).toHaveLength(1);
    const path = join(dir, 'digest-troops-italy.png');
    expect(out.indexOf(`Chart: ${path}`)).toBeGreaterThan(out.indexOf('New figure, approved'));
    expect(PNG.sync.read(await readFile(path)).width).toBeGreaterThan(300);
  });
});

describe('digest preview shows the chart that will follow the digest', () => {
  let db: TestDb;
  beforeEach(async () => {
    db = await sqliteBackend.open();
  });
  afterEach(async () => {
    await db?.cleanup();
  });

  it('none while nothing changed; after an approval, the same PNG the delivery posts, its words in the digest’s language', async () => {
    let kb: KnowledgeBase = testKb();
    const charts = chartService();
    const bot = await testBot({ services: { digest: new StoreDigestService(db.store, () => kb), charts } });
    await bot.handleText('digest subscribe time:08:00 lang:fr', TEST_CALLER);
    const poster = new RecordingPoster('test');
    const scheduler = makeScheduler(db.store, [poster], { kb: () => kb, charts });
    await scheduler.tick(at('2026-11-30T07:00:00Z'));
    expect(poster.posts).toHaveLength(1);
    expect((await bot.handleText('digest preview', TEST_CALLER)).attachments).toBeUndefined();

    kb = withApproved(testKb(), 'italy-2023-08-06', APPROVED);
    const preview = await bot.handleText('digest preview', TEST_CALLER);
    expect(preview.lang).toBe('fr');
    expect(preview.attachments).toHaveLength(1);
    const [file] = preview.attachments!;
    expect(file!.name).toBe('digest-troops-italy.png');
    expect(file!.alt).toMatch(/^Line chart|^Graphique/);
    expect(file!.alt).toContain('Effectifs militaires étrangers au Niger : Italie');
    expect(PNG.sync.read(Buffer.from(file!.bytes)).width).toBeGreaterThan(300);
    // The delivery's chart is the same picture.
    const drawn = await charts.troops(kb, { countries: ['Italy'] });
    expect(Buffer.from(file!.bytes).equals(Buffer.from(drawn!.png))).toBe(true);
  });
});

describe('the chart takes its turn in the pace', () => {
  let db: TestDb;
  beforeEach(async () => {
    db = await sqliteBackend.open();
  });
  afterEach(async () => {
    await db?.cleanup();
  });

  it('in one channel the chart comes at least the per-channel gap after its digest; every digest goes out before its chart', async () => {
    const events: { what: string; channelId: string; at: number }[] = [];
    const poster = new RecordingPoster('slack');
    const post = poster.post.bind(poster);
    poster.post = async (channelId, reply, nonce) => {
      events.push({ what: 'digest', channelId, at: performance.now() });
      return post(channelId, reply, nonce);
    };
    const withAttach = Object.assign(poster, {
      attach: async (channelId: string, messageId: string) => {
        events.push({ what: `chart of ${messageId}`, channelId, at: performance.now() });
      },
    });
    const service = new StoreDigestService(db.store, testKb());
    for (const channelId of ['C1', 'C2']) {
      await service.subscribe(
        { platform: 'slack', channelId, workspaceId: 'T1' },
        { time: '08:00', timeZone: 'Africa/Niamey' },
        'me',
        at('2026-11-30T06:00:00Z'),
      );
    }
    let kb: KnowledgeBase = testKb();
    const options = { kb: () => kb, charts: chartService(), pacing: { slack: { perChannelMs: 1200, perWorkspaceMs: 50 } } };
    await makeScheduler(db.store, [withAttach], options).tick(at('2026-11-30T07:00:00Z'));
    expect(events.map((e) => e.what)).toEqual(['digest', 'digest']);
    kb = withApproved(testKb(), 'italy-2023-08-06', APPROVED);
    events.length = 0;
    await makeScheduler(db.store, [withAttach], options).tick(at('2026-12-01T07:00:00Z'));
    for (const channelId of ['C1', 'C2']) {
      const mine = events.filter((e) => e.channelId === channelId);
      expect(mine.map((e) => e.what)).toEqual(['digest', `chart of ${poster.posts.filter((p) => p.channelId === channelId).at(-1)!.messageId}`]);
      expect(mine[1]!.at - mine[0]!.at).toBeGreaterThanOrEqual(1150);
    }
  });
});
