/**
 * The fake Discord in a worker thread, driven from there: for benchmarks, so the measured thread runs only
 * the client under test, not the fake's JSON parsing, validation and recording.
 *
 *   const worker = await fakeDiscordWorker();
 *   const fake = await worker.start({ token });            // { apiUrl, applicationId }
 *   // … log a client in against fake.apiUrl …
 *   const run = await worker.drive(fake.id, { count: 500, concurrency: 16, mix: [{ path: 'ruler' }] });
 *   await worker.close();
 *
 * `drive` dispatches INTERACTION_CREATEs with `concurrency` in flight and returns, per interaction, the time
 * from dispatch to the interaction callback reaching the fake (both taken in the worker).
 *
 * The fake in the worker is the same sharded gateway: `start({ token, shards: 2, maxConcurrency: 2, guilds })`
 * (plain data, so it crosses to the worker), and each spec of `mix` with a `guildId` goes to that guild's shard.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type InteractionSpec } from './discord.ts';

export interface DriveOptions {
  count: number;
  concurrency: number;
  mix: InteractionSpec[];
  timeoutMs?: number;
}

export interface DriveResult {
  /** Dispatch → callback, ms, one per interaction. */
  samples: number[];
  /** Callbacks answered with something other than 204. */
  failures: number;
  elapsedMs: number;
}

export interface FakeDiscordWorker {
  start(options: FakeDiscordOptions): Promise<{ id: number; apiUrl: string; applicationId: string }>;
  drive(id: number, options: DriveOptions): Promise<DriveResult>;
  close(): Promise<void>;
}

type Request = { op: 'start'; options: FakeDiscordOptions } | { op: 'drive'; id: number; options: DriveOptions } | { op: 'close' };

/** Starts the worker thread. */
export async function fakeDiscordWorker(): Promise<FakeDiscordWorker> {
  // Node 20 does not apply the parent's loader hooks to a worker's entry, so the worker loads this TypeScript
  // file through tsx's API.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((api) => api.tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(code, { eval: true, workerData: { fakeDiscordWorker: true }, execArgv: [] });
  let seq = 0;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  worker.on('message', (m: { seq: number; ok: boolean; value?: unknown; error?: string }) => {
    const p = pending.get(m.seq);
    pending.delete(m.seq);
    if (m.ok) p?.resolve(m.value);
    else p?.reject(new Error(m.error));
  });
  worker.on('error', (err) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  const call = <T>(req: Request): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const n = ++seq;
      pending.set(n, { resolve, reject });
      worker.postMessage({ seq: n, req });
    });
  return {
    start: (options) => call({ op: 'start', options }),
    drive: (id, options) => call({ op: 'drive', id, options }),
    async close() {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}

async function drive(fake: FakeDiscord, o: DriveOptions): Promise<DriveResult> {
  const samples: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const one = async () => {
    while (next < o.count) {
      const i = next++;
      const sent = fake.dispatchInteraction(o.mix[i % o.mix.length]!);
      const result = await sent.result(o.timeoutMs ?? 10_000);
      if (result.callback.status !== 204) failures += 1;
      samples.push(result.callback.at - sent.at);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, one));
  return { samples, failures, elapsedMs: performance.now() - started };
}

if (!isMainThread && (workerData as { fakeDiscordWorker?: boolean } | null)?.fakeDiscordWorker) {
  const fakes: FakeDiscord[] = [];
  parentPort!.on('message', async ({ seq, req }: { seq: number; req: Request }) => {
    try {
      let value: unknown;
      if (req.op === 'start') {
        const fake = await startFakeDiscord(req.options);
        fakes.push(fake);
        value = { id: fakes.length - 1, apiUrl: fake.apiUrl, applicationId: fake.applicationId };
      } else if (req.op === 'drive') {
        value = await drive(fakes[req.id]!, req.options);
      } else {
        await Promise.all(fakes.map((f) => f.close()));
        value = null;
      }
      parentPort!.postMessage({ seq, ok: true, value });
    } catch (err) {
      parentPort!.postMessage({ seq, ok: false, error: (err as Error).stack ?? String(err) });
    }
  });
}
