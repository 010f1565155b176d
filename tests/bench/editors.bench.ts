// Editors on Slack, end to end through the real adapter and Bolt against the fake Slack, on a SQLite file: each
// round proposes a troop figure in a modal and has a second editor approve it with the review post's button.
// Per round: `/niger propose troops` sent → views.open received (the modal is shown); view_submission sent → its
// ack (the modal closes) and → the review post in the editors' channel; Approve pressed → its ack and → chat.update
// (the post shows the outcome, the revision recorded). Loopback only, one request at a time: latency, not throughput.
import { performance } from 'node:perf_hooks';
import { createSlackApp } from '../../src/adapters/slack/app.ts';
import { createBot } from '../../src/app.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { createLogger } from '../../src/logger.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { StoreRevisionService } from '../../src/storage/revision-service.ts';
import { importSeed, readSeed } from '../../src/storage/seed.ts';
import { blockActions, buttonsOf, sendInteraction, sendSlashCommand, slashCommandFields, startFakeSlack, viewSubmission } from '../fakes/slack.ts';
import { TEST_NOW } from '../helpers/bot.ts';
import { sqliteBackend } from '../storage/backends.ts';
import { fmt, percentiles, row } from './stats.ts';

const ROUNDS = Number(process.env.EDITORS_BENCH_ROUNDS ?? 200);
const WARMUP = 20;
const TOKEN = 'xoxb-1111-2222-benchbenchbench';
const SECRET = '0123456789abcdef0123456789abcdef';
const EDITORS = 'C0EDITORS1';
const ANN = 'U0ANN00001';
const BEN = 'U0BEN00001';

export default async function run(): Promise<void> {
  const db = await sqliteBackend.open();
  await importSeed(db.store, readSeed(DEFAULT_DATA_DIR), { now: TEST_NOW.getTime() - 86_400_000 });
  const now = () => TEST_NOW.getTime();
  const log = createLogger({ level: 'silent' });
  const bot = await createBot({
    now: () => TEST_NOW,
    log,
    services: { revisions: new StoreRevisionService(db.store), proposals: new StoreProposalService(db.store, now) },
  });
  const fake = await startFakeSlack({ botToken: TOKEN });
  const slack = createSlackApp(
    bot,
    {
      botToken: TOKEN,
      mode: 'http',
      signingSecret: SECRET,
      apiUrl: fake.apiUrl,
      port: 0,
      adminUserIds: [],
      editorUserIds: [ANN, BEN],
      editorChannelId: EDITORS,
    },
    log,
    { host: '127.0.0.1' },
  );
  await slack.start();
  const url = `http://127.0.0.1:${slack.port()}/slack/events`;
  const samples = { form: [] as number[], submitAck: [] as number[], posted: [] as number[], pressAck: [] as number[], updated: [] as number[] };
  try {
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const keep = i >= WARMUP;
      // A fresh figure each round (a new country id), so every round stores, posts and approves.
      const country = `Benchland${i}`;
      let t = performance.now();
      const views = fake.views.length;
      await sendSlashCommand(url, SECRET, slashCommandFields(fake, { text: 'propose troops', user_id: ANN }));
      const opened = await fake.waitFor(() => fake.views[views]);
      if (keep) samples.form.push(performance.now() - t);

      const posts = fake.messagesIn(EDITORS).length;
      t = performance.now();
      const values = { country, count: '0', date: '2026-11-20', source: 'https://example.org/b', publisher: 'ANSA', title: 'Bench', published: '2026-11-21' };
      await sendInteraction(url, SECRET, viewSubmission(fake, opened, ANN, values));
      if (keep) samples.submitAck.push(performance.now() - t);
      const post = structuredClone(await fake.waitFor(() => fake.messagesIn(EDITORS)[posts]));
      if (keep) samples.posted.push(performance.now() - t);

      const approve = buttonsOf(post).find((b) => b.text.text === 'Approve')!;
      const updates = fake.callsTo('chat.update').length;
      t = performance.now();
      await sendInteraction(url, SECRET, blockActions(fake, { channel: EDITORS, message: post, userId: BEN }, approve));
      if (keep) samples.pressAck.push(performance.now() - t);
      await fake.waitFor(() => fake.callsTo('chat.update')[updates]);
      if (keep) samples.updated.push(performance.now() - t);
      // The fake keeps every recording; forget them so the rounds stay alike.
      if (i % 50 === 49) fake.reset();
    }
  } finally {
    await slack.stop();
    await fake.close();
    await db.cleanup();
  }
  process.stdout.write(`${ROUNDS} rounds after ${WARMUP} warm-up, SQLite, one request at a time\n\n`);
  process.stdout.write(`${row(['step', 'p50', 'p99', 'max'])}\n${row(['---', '---', '---', '---'])}\n`);
  const line = (name: string, s: number[]) => {
    const p = percentiles(s);
    process.stdout.write(`${row([name, fmt(p.p50), fmt(p.p99), fmt(p.max)])}\n`);
  };
  line('`/niger propose troops` → views.open', samples.form);
  line('view_submission → ack (modal closes)', samples.submitAck);
  line('view_submission → review post in the channel', samples.posted);
  line('Approve pressed → ack', samples.pressAck);
  line('Approve pressed → chat.update (approved, recorded)', samples.updated);
}
