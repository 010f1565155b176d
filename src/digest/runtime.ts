import cron, { type ScheduledTask } from 'node-cron';
import type { ChartService } from '../core/charts-port.ts';
import type { ChannelPoster } from '../core/delivery.ts';
import type { DigestService } from '../core/digest-port.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import { maskSecrets, type Logger } from '../logger.ts';
import { openStore } from '../storage/open.ts';
import type { DigestStore } from '../storage/types.ts';
import { Corrections } from './corrections.ts';
import { DigestScheduler, type SchedulerOptions } from './scheduler.ts';
import { StoreDigestService } from './service.ts';

export interface DigestRuntimeOptions {
  /** DATABASE_URL: unset → var/niger-watch.sqlite, file:… → SQLite, postgres://… → PostgreSQL. */
  databaseUrl?: string;
  catchupMinutes: number;
  log: Logger;
  /** The bot's knowledge base; a getter because the store opens before the bot is built. */
  kb: () => KnowledgeBase;
  scheduler?: Partial<SchedulerOptions>;
  /** Told about each statement the database failed (the metrics count them). */
  onDatabaseError?: (err: unknown) => void;
  /** TOKEN_ENCRYPTION_KEY: the store seals the Slack installations' tokens with it. */
  tokenKey?: Buffer;
  /** The bot's charts: a digest whose troop figures changed is followed by their chart. */
  charts?: ChartService;
}

export interface DigestRuntime {
  readonly store: DigestStore;
  readonly service: DigestService;
  readonly scheduler: DigestScheduler;
  /** Threaded corrections under past posts; runs with every tick, and at once after an approval here (`run`). */
  readonly corrections: Corrections;
  /** Gives the scheduler the posters of the running adapters, ticks once now (catch-up), then every 15 s. */
  start(posters: ChannelPoster[]): void;
  /**
   * Stops ticking; posts in flight finish and are recorded, claims not yet posted are handed back at
   * once (bounded by the post timeout), then the store closes. Call before the adapters stop.
   */
  stop(): Promise<void>;
}

/** Opens the store (applying migrations) and builds the digest service and scheduler. */
export async function openDigestRuntime(options: DigestRuntimeOptions): Promise<DigestRuntime> {
  const { log } = options;
  const store = await openStore(options.databaseUrl, {
    onPoolError: (err) => {
      options.onDatabaseError?.(err);
      log.warn({ detail: maskSecrets(err.message) }, 'database connection dropped; the pool reconnects');
    },
    onQueryError: options.onDatabaseError,
    ...(options.tokenKey ? { tokenKey: options.tokenKey } : {}),
  });
  log.info({ store: store.description }, 'digest store ready');
  const scheduler = new DigestScheduler({
    store,
    kb: options.kb,
    log,
    catchupMinutes: options.catchupMinutes,
    ...(options.charts ? { charts: options.charts } : {}),
    ...options.scheduler,
  });
  const service = new StoreDigestService(store, options.kb);
  const posters = new Map<string, ChannelPoster>();
  const corrections = new Corrections({
    store: store.corrections,
    log,
    instanceId: scheduler.instanceId,
    posters: () => posters,
    kb: options.kb,
  });
  let task: ScheduledTask | null = null;
  // Corrections ride on the tick: another instance's approval is threaded within one tick, whoever sees it.
  const tick = () =>
    Promise.all([
      scheduler.tick(new Date()).catch((err: unknown) => {
        log.error({ err }, 'digest tick failed; the next tick retries');
      }),
      corrections.run(),
    ]);
  const cronLogger = {
    info: (m: string) => log.debug({ source: 'node-cron' }, m),
    warn: (m: string) => log.warn({ source: 'node-cron' }, m),
    error: (m: string | Error, err?: Error) => log.error({ source: 'node-cron', err: err ?? m }, 'node-cron error'),
    debug: (m: string | Error) => log.debug({ source: 'node-cron' }, String(m)),
  };
  return {
    store,
    service,
    scheduler,
    corrections,
    start(running) {
      scheduler.setPosters(running);
      posters.clear();
      for (const p of running) posters.set(p.platform, p);
      if (task || running.length === 0) return;
      void tick();
      // node-cron only wakes us; what is due is decided by the store (see scheduler.ts). Digests are
      // due on the minute; the ticks in between pick up claims freed by an instance that died.
      task = cron.schedule('*/15 * * * * *', tick, { name: 'niger-watch-digests', noOverlap: true, unref: true, logger: cronLogger });
    },
    async stop() {
      if (task) await task.destroy();
      task = null;
      const bound = (options.scheduler?.postTimeoutMs ?? 30_000) + 5000;
      await Promise.race([
        scheduler.shutdown().catch((err: unknown) => log.error({ err }, 'digest shutdown did not finish cleanly')),
        new Promise((resolve) => setTimeout(resolve, bound).unref()),
      ]);
      await store.close();
    },
  };
}
