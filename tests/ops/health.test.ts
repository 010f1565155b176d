// /healthz, /readyz and /metrics over real HTTP, with the real Bot, a real SQLite store, the real digest
// scheduler and prom-client: what an operator's probe and scraper see.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/app.ts';
import type { Bot } from '../../src/core/bot.ts';
import { DeliveryError } from '../../src/core/delivery.ts';
import { StoreDigestService } from '../../src/digest/service.ts';
import { healthRoutes, startHealthServer, type ReadinessCheck } from '../../src/ops/health.ts';
import { createMetrics, type Metrics } from '../../src/ops/metrics.ts';
import { openStore } from '../../src/storage/open.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import { at, makeScheduler, RecordingPoster, testKb } from '../digest/helpers.ts';
import { captureLogger, TEST_CALLER, TEST_NOW } from '../helpers/bot.ts';
import { metricValue } from './metric-value.ts';

let dir: string;
const stops: (() => Promise<void>)[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'niger-watch-health-'));
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function sqliteStore(metrics?: Metrics): Promise<SqlDigestStore> {
  const store = await openStore(`file:${join(dir, `store-${++n}.sqlite`)}`, { onQueryError: () => metrics?.databaseError() });
  stops.push(() => store.close().catch(() => undefined));
  return store;
}

async function serve(checks: ReadinessCheck[], metrics?: Metrics): Promise<string> {
  const { log } = captureLogger('silent');
  const server = await startHealthServer(healthRoutes({ checks: () => checks, log, ...(metrics ? { metrics } : {}) }), 0, '127.0.0.1');
  stops.push(() => server.stop());
  return `http://127.0.0.1:${server.port}`;
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

function testMetrics(commands: string[] = []): Metrics {
  return createMetrics({ platforms: ['test'], commands, defaultMetrics: false });
}

describe('/healthz and /readyz', () => {
  it('/healthz answers 200 while the process serves; other paths are 404', async () => {
    const base = await serve([{ name: 'database', check: () => false }]);
    const health = await get(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect((await get(`${base}/nothing`)).status).toBe(404);
    // No metrics were given to this server.
    expect((await get(`${base}/metrics`)).status).toBe(404);
  });

  it('/readyz is 200 while the database answers, and 503 naming the database once its SQLite file is closed', async () => {
    const metrics = testMetrics();
    const store = await sqliteStore(metrics);
    const base = await serve(
      [
        { name: 'knowledge', check: () => testKb() !== undefined },
        { name: 'database', check: async () => void (await store.migrations()) },
      ],
      metrics,
    );
    const ready = await get(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', checks: { knowledge: 'ok', database: 'ok' }, failed: [] });
    expect(metricValue((await get(`${base}/metrics`)).body, 'niger_watch_database_errors_total')).toBe(0);

    await store.close();
    const unready = await get(`${base}/readyz`);
    expect(unready.status).toBe(503);
    expect(JSON.parse(unready.body)).toEqual({ status: 'unready', checks: { knowledge: 'ok', database: 'failed' }, failed: ['database'] });
    // The reason is the log's, never the body's (a public port serves it): no path, no driver message.
    expect(unready.body).not.toContain(dir);
    // The failed query was counted as a database error, exactly once.
    expect(metricValue((await get(`${base}/metrics`)).body, 'niger_watch_database_errors_total')).toBe(1);
  });

  it('a check that does not answer in time fails instead of holding the probe', async () => {
    const { log } = captureLogger('silent');
    const routes = healthRoutes({ checks: () => [{ name: 'database', check: () => new Promise(() => undefined) }], log, timeoutMs: 100 });
    const server = await startHealthServer(routes, 0, '127.0.0.1');
    stops.push(() => server.stop());
    const started = Date.now();
    const res = await get(`http://127.0.0.1:${server.port}/readyz`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).failed).toEqual(['database']);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('/metrics', () => {
  let bot: Bot;
  let metrics: Metrics;
  let base: string;
  let stopServer: () => Promise<void>;
  beforeAll(async () => {
    // The registry's command names are the only values of `command`; the metrics need them first.
    const probe = await createBot({ now: () => TEST_NOW, log: captureLogger('silent').log });
    metrics = testMetrics(probe.registry.runnable().map((r) => r.path));
    bot = await createBot({ now: () => TEST_NOW, log: captureLogger('silent').log, metrics: metrics.requests });
    const server = await startHealthServer(healthRoutes({ checks: () => [], log: captureLogger('silent').log, metrics }), 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
    stopServer = () => server.stop();
  });
  afterAll(() => stopServer());

  const scrape = async () => {
    const res = await get(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body;
  };
  const requests = (text: string, command: string, outcome: string) => metricValue(text, 'niger_watch_requests_total', { platform: 'test', command, outcome });

  it('counts an answered and a declined command by exactly one each, with the answer latency and the cache', async () => {
    const before = await scrape();
    // Every series starts at 0, so the first request is seen by rate().
    expect(requests(before, 'ruler', 'answered')).toBe(0);
    expect(requests(before, 'ask', 'declined')).toBe(0);

    const answered = await bot.handleText('ruler June 2023', TEST_CALLER);
    expect(answered.answered).toBe(true);
    let after = await scrape();
    expect(requests(after, 'ruler', 'answered')).toBe(1);
    expect(requests(after, 'ruler', 'declined')).toBe(0);
    expect(metricValue(after, 'niger_watch_answer_duration_seconds_count', { platform: 'test', command: 'ruler' })).toBe(1);
    expect(metricValue(after, 'niger_watch_answer_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(metricValue(after, 'niger_watch_answer_cache_lookups_total', { result: 'hit' })).toBe(0);

    const declined = await bot.handleText('how many Russian soldiers are in Niger?', TEST_CALLER);
    expect(declined.answered).toBe(false);
    after = await scrape();
    expect(requests(after, 'ask', 'declined')).toBe(1);
    expect(requests(after, 'ask', 'answered')).toBe(0);
    expect(requests(after, 'ruler', 'answered')).toBe(1);

    // The same question again is a cache hit, still counted under its command.
    await bot.handleText('ruler June 2023', TEST_CALLER);
    after = await scrape();
    expect(requests(after, 'ruler', 'answered')).toBe(2);
    expect(metricValue(after, 'niger_watch_answer_cache_lookups_total', { result: 'hit' })).toBe(1);
    expect(metricValue(after, 'niger_watch_answer_duration_seconds_count', { platform: 'test', command: 'ruler' })).toBe(2);
  });

  it('never puts the user\'s words in a label: text naming no command counts as command "none"', async () => {
    const before = requests(await scrape(), 'none', 'declined');
    const r = await bot.handleText('trops zanzibarquux', TEST_CALLER);
    expect(r.kind).toBe('error');
    const after = await scrape();
    expect(requests(after, 'none', 'declined')).toBe(before + 1);
    expect(after).not.toMatch(/trops|zanzibarquux/);
    // Only known command names (and "none") appear as the command label.
    const known = new Set([...bot.registry.runnable().map((c) => c.path), 'none']);
    for (const m of after.matchAll(/command="([^"]*)"/g)) expect(known.has(m[1]!)).toBe(true);
  });

  it('counts digests due, sent and retried, and claim takeovers, from the real scheduler', async () => {
    const store = await sqliteStore(metrics);
    const service = new StoreDigestService(store, testKb());
    const C1 = { platform: 'slack', channelId: 'C1', workspaceId: 'T1' };
    await service.subscribe(C1, { time: '08:00', timeZone: 'Africa/Niamey' }, 'U-admin', at('2026-11-30T06:00:00Z'));
    const poster = new RecordingPoster('slack');
    poster.plan('C1', new DeliveryError('transient', 'Slack answered 503'));
    const scheduler = makeScheduler(store, [poster], { metrics: metrics.digests });
    const before = await scrape();
    const digests = (text: string, outcome: string) => metricValue(text, 'niger_watch_digests_total', { outcome });

    await scheduler.tick(at('2026-11-30T07:00:00Z')); // due; the post fails and is retried later
    let after = await scrape();
    expect(metricValue(after, 'niger_watch_digests_due_total') - metricValue(before, 'niger_watch_digests_due_total')).toBe(1);
    expect(digests(after, 'retried') - digests(before, 'retried')).toBe(1);
    expect(digests(after, 'sent') - digests(before, 'sent')).toBe(0);

    await scheduler.tick(at('2026-11-30T07:01:00Z')); // the retry's time has come: taken over and sent
    after = await scrape();
    expect(poster.posts).toHaveLength(1);
    expect(digests(after, 'sent') - digests(before, 'sent')).toBe(1);
    expect(metricValue(after, 'niger_watch_digest_claim_takeovers_total') - metricValue(before, 'niger_watch_digest_claim_takeovers_total')).toBe(1);
    await scheduler.shutdown();
  });
});
