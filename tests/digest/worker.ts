// A digest instance in its own process, for the multi-instance tests: opens the store named by
// DATABASE_URL (+ DIGEST_TEST_SCHEMA), posts over HTTP to the fake platform at FAKE_URL, and ticks
// every TICK_MS on a clock that starts at START_AT when the parent writes "go" on stdin.
import { createInterface } from 'node:readline';
import { DeliveryError, type ChannelPoster } from '../../src/core/delivery.ts';
import { DigestScheduler } from '../../src/digest/scheduler.ts';
import { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/storage/open.ts';

const env = process.env;
const platform = env.PLATFORM ?? 'discord';
const instanceId = env.INSTANCE_ID ?? `worker-${process.pid}`;
const fakeUrl = env.FAKE_URL!;
const tickMs = Number(env.TICK_MS ?? 200);

const poster: ChannelPoster = {
  platform,
  async post(channelId, reply, nonce) {
    let res: Response;
    try {
      res = await fetch(`${fakeUrl}/post`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instance: instanceId, channelId, nonce, title: reply.title, fields: reply.fields }),
      });
    } catch (err) {
      throw new DeliveryError('transient', (err as Error).message);
    }
    if (res.status === 429) throw new DeliveryError('rate_limited', 'HTTP 429', Number(res.headers.get('retry-after') ?? '1') * 1000);
    if (res.status === 400) throw new DeliveryError('rejected', 'HTTP 400');
    if (res.status === 404) throw new DeliveryError('channel_gone', 'HTTP 404');
    if (!res.ok) throw new DeliveryError('transient', `HTTP ${res.status}`);
    return (await res.json()) as { messageId: string };
  },
};

const store = await openStore(env.DATABASE_URL, { schema: env.DIGEST_TEST_SCHEMA || undefined, poolSize: 12 });
const scheduler = new DigestScheduler({
  store,
  kb: KnowledgeBase.load(),
  log: createLogger({ level: env.WORKER_LOG_LEVEL ?? 'silent' }),
  posters: [poster],
  instanceId,
  leaseMs: Number(env.LEASE_MS ?? 120_000),
  concurrency: Number(env.CONCURRENCY ?? 8),
  pacing: { [platform]: null },
});

const say = (o: object) => process.stdout.write(`${JSON.stringify({ instance: instanceId, ...o })}\n`);
say({ event: 'ready' });

const rl = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => rl.once('line', () => resolve()));
const start = Date.parse(env.START_AT!);
const t0 = Date.now();
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});
while (!stopping) {
  const report = await scheduler.tick(new Date(start + (Date.now() - t0)));
  say({ event: 'tick', ...report });
  await new Promise((r) => setTimeout(r, tickMs));
}
await store.close();
say({ event: 'stopped' });
process.exit(0);
