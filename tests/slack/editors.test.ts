import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { StoreRevisionService } from '../../src/storage/revision-service.ts';
import { importSeed, readSeed } from '../../src/storage/seed.ts';
import {
  blockActions,
  buttonsOf,
  sendInteraction,
  sendSlashCommand,
  slackMentions,
  slashCommandFields,
  viewSubmission,
  visibleText,
  type FakeMessage,
} from '../fakes/slack.ts';
import { testBot } from '../helpers/bot.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { SIGNING_SECRET, slashOverHttp, startHarness, type Harness } from './harness.ts';

// Editors from chat on Slack, through the real Bolt against the fake Slack: `/niger propose troops` opens a modal
// (views.open), its submission (view_submission) stores the proposal and posts it to the editors' channel with
// Approve / Reject buttons; a second editor's press (block_actions) approves it through the same service and the post
// shows the outcome (chat.update). Nothing of ours is mocked.

const NOW = Date.parse('2026-11-29T09:00:00Z');
const SEED = readSeed(DEFAULT_DATA_DIR);
const EDITORS = 'C0EDITORS1';
const ANN = 'U0ANN00001'; // an editor by SLACK_EDITOR_USER_IDS
const BEN = 'U0BEN00001'; // an editor as a workspace admin
const READER = 'U0READER01'; // neither

let db: TestDb;
let bot: Bot;
let h: Harness;

async function pendingIds(): Promise<string[]> {
  return (await db.raw("SELECT id FROM knowledge_proposals WHERE status = 'pending' ORDER BY id")).map((r) => String(r.id));
}

beforeAll(async () => {
  db = await sqliteBackend.open();
  await importSeed(db.store, SEED, { now: NOW - 86_400_000 });
  bot = await testBot({ services: { revisions: new StoreRevisionService(db.store), proposals: new StoreProposalService(db.store, () => NOW) } });
});
afterAll(async () => {
  await db?.cleanup();
});
beforeEach(async () => {
  h = await startHarness(bot, {
    config: { editorUserIds: [ANN], editorChannelId: EDITORS },
    fake: { users: [{ id: BEN, is_admin: true }, { id: READER }, { id: ANN }] },
  });
});
afterEach(async () => {
  await h?.close();
});

/** Opens the form with the slash command and returns the modal Slack holds. */
async function openForm(user: string, text: string) {
  const before = h.fake.views.length;
  const res = await sendSlashCommand(h.appUrl, SIGNING_SECRET, slashCommandFields(h.fake, { text, user_id: user }));
  // A modal opened: the slash command is acknowledged empty (nothing posted in the channel).
  expect(res).toEqual({ status: 200, body: '' });
  const opened = await h.fake.waitFor(() => h.fake.views[before], 3000, 'a modal');
  return { res, opened };
}

async function submit(user: string, opened: (typeof h.fake.views)[number], values: Record<string, string>) {
  const res = await sendInteraction(h.appUrl, SIGNING_SECRET, viewSubmission(h.fake, opened, user, values));
  expect(res.status).toBe(200);
  return res.body ? (JSON.parse(res.body) as Record<string, any>) : {};
}

async function press(user: string, message: FakeMessage, label: string) {
  const button = buttonsOf(message).find((b) => b.text.text === label);
  if (!button) throw new Error(`no ${label} button on the message`);
  const payload = blockActions(h.fake, { channel: EDITORS, message, userId: user }, button);
  const res = await sendInteraction(h.appUrl, SIGNING_SECRET, payload);
  expect(res.status).toBe(200);
  return payload.response_url as string;
}

const ITALY = {
  country: 'Italy',
  count: '0',
  date: '2026-11-20',
  source: 'https://example.org/italy',
  publisher: 'ANSA',
  title: 'Ritiro',
  published: '2026-11-21',
};

describe('Slack: propose in a modal, review with buttons', () => {
  it('views.open → view_submission → review post in the editors channel → Approve by a second editor → approved in the store', async () => {
    const { opened } = await openForm(ANN, 'propose troops');
    const view = opened.view;
    expect(view.type).toBe('modal');
    expect(view.title.text).toBe('Propose a troop figure');
    // The form is the command's options, in order, each its own block (the block_id names the option).
    expect(view.blocks.map((b: any) => b.block_id)).toEqual(['country', 'count', 'date', 'source', 'publisher', 'title', 'published']);
    expect(view.blocks.every((b: any) => b.optional === false)).toBe(true);

    const ack = await submit(ANN, opened, ITALY);
    expect(ack).toEqual({});
    const [id] = await pendingIds();
    expect(id).toMatch(/^P-[A-Z2-9]{6}$/);
    // The submitter is told the id, privately, through the slash command's response_url.
    const told = await h.fake.waitFor(() => h.fake.responses.find((r) => visibleText(r.body).includes(id!)));
    expect(told.body.response_type).toBe('ephemeral');

    // A copy: the fake updates the message it holds in place.
    const post = structuredClone(await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[0]));
    const shown = visibleText(post);
    expect(shown).toContain(`Proposal ${id}: new deployments italy-2026-11-20`);
    expect(shown).toContain('count: 0');
    expect(shown).toContain('ANSA, “Ritiro” (2026-11-21) https://example.org/italy');
    expect(buttonsOf(post).map((b) => [b.text.text, b.style])).toEqual([
      ['Approve', 'primary'],
      ['Reject', 'danger'],
    ]);

    // The author may not approve their own: told privately, nothing changes.
    const own = await press(ANN, post, 'Approve');
    const refusal = await h.fake.waitForResponse(decodeURIComponent(new URL(own).pathname.replace(/^\/respond\//, '')));
    expect(visibleText(refusal.body)).toMatch(/is yours: another editor must approve it/);
    expect(refusal.body.response_type).toBe('ephemeral');
    expect(await pendingIds()).toEqual([id]);

    // A workspace admin is an editor: the approval is recorded and the post shows the outcome, without buttons.
    await press(BEN, post, 'Approve');
    await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[0]?.edited);
    const outcome = h.fake.messagesIn(EDITORS)[0]!;
    expect(visibleText(outcome)).toContain(`Approved ${id}`);
    expect(visibleText(outcome)).toContain(`approved by slack:${BEN}`);
    expect(buttonsOf(outcome)).toEqual([]);
    expect(await pendingIds()).toEqual([]);
    const [row] = await db.raw(`SELECT status, decided_by FROM knowledge_proposals WHERE id = '${id}'`);
    expect(row).toMatchObject({ status: 'approved', decided_by: `slack:${BEN}` });

    // A second approval of the decided proposal (an old copy of the post): a clear message, nothing changes.
    const again = await press(ANN, post, 'Approve');
    const second = await h.fake.waitForResponse(decodeURIComponent(new URL(again).pathname.replace(/^\/respond\//, '')));
    expect(visibleText(second.body)).toMatch(/already approved/);
  });

  it('a non-editor pressing Approve or Reject is refused privately and nothing changes', async () => {
    const { opened } = await openForm(ANN, 'propose troops');
    await submit(ANN, opened, { ...ITALY, country: 'Germany' });
    const post = await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[0]);
    const pending = await pendingIds();
    for (const label of ['Approve', 'Reject']) {
      const url = await press(READER, post, label);
      const answer = await h.fake.waitForResponse(decodeURIComponent(new URL(url).pathname.replace(/^\/respond\//, '')));
      expect(visibleText(answer.body)).toMatch(/Only editors may (approve|reject) proposals/);
      expect(answer.body.response_type).toBe('ephemeral');
    }
    expect(h.fake.views).toHaveLength(1);
    expect(await pendingIds()).toEqual(pending);
    expect(h.fake.messagesIn(EDITORS)[0]!.edited).toBeUndefined();
  });

  it('Reject opens a modal for the reason; the post then shows the rejection, the reason escaped', async () => {
    const { opened } = await openForm(BEN, 'propose troops');
    await submit(BEN, opened, { ...ITALY, country: 'Belgium' });
    const post = await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[0]);
    await press(ANN, post, 'Reject');
    const reasonForm = await h.fake.waitFor(() => h.fake.views[1]);
    expect(reasonForm.view.blocks.map((b: any) => b.block_id)).toEqual(['reason']);
    expect(reasonForm.view.blocks[0].element.multiline).toBe(true);
    const ack = await submit(ANN, reasonForm, { reason: '<!channel> @everyone *no* figure in the article' });
    expect(ack).toEqual({});
    await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[0]?.edited);
    const outcome = h.fake.messagesIn(EDITORS)[0]!;
    expect(visibleText(outcome)).toContain('is rejected: <!channel> @everyone *no* figure in the article');
    expect(slackMentions(h.fake.callsTo('chat.update')[0]!.args)).toEqual([]);
    expect(buttonsOf(outcome)).toEqual([]);
  });

  it('invalid fields are named at their inputs (response_action: errors) and nothing is stored', async () => {
    const before = await pendingIds();
    const { opened } = await openForm(ANN, 'propose troops');
    const bad = await submit(ANN, opened, { ...ITALY, count: 'many', source: 'javascript:alert(1)' });
    expect(bad.response_action).toBe('errors');
    expect(Object.keys(bad.errors)).toEqual(['count']);
    const badUrl = await submit(ANN, opened, { ...ITALY, source: 'javascript:alert(1)' });
    expect(badUrl.response_action).toBe('errors');
    expect(Object.keys(badUrl.errors)).toEqual(['source']);
    expect(badUrl.errors.source).toMatch(/not an http\(s\) URL/);
    const future = await submit(ANN, opened, { ...ITALY, published: '2099-01-01' });
    expect(Object.keys(future.errors)).toEqual(['published']);
    const long = await submit(ANN, opened, { ...ITALY, title: 'x'.repeat(10_000) });
    expect(long.response_action).toBe('errors');
    expect(await pendingIds()).toEqual(before);
    expect(h.fake.messagesIn(EDITORS)).toEqual([]);
  });

  it('/niger propose alone offers the forms as buttons; a correction form shows the diff in the review post', async () => {
    const choice = await slashOverHttp(h, 'propose', { user_id: ANN });
    expect(choice.message.response_type).toBe('ephemeral');
    const buttons = buttonsOf(choice.message as { blocks?: unknown });
    expect(buttons.map((b) => b.text.text)).toEqual([
      'Propose a troop figure',
      'Correct a troop figure',
      'Propose an event',
      'Correct an event',
      'Propose a statement',
      'Propose a place',
      'Propose an organisation',
      'Propose an office term',
      'Correct an office term',
    ]);
    // Pressing "Correct" (a button on the ephemeral reply) opens its form.
    const fakeMessage = { type: 'message' as const, ts: '1.000001', blocks: choice.message.blocks };
    await sendInteraction(h.appUrl, SIGNING_SECRET, blockActions(h.fake, { channel: 'C0CHANNEL1', message: fakeMessage, userId: ANN }, buttons[1]!));
    const opened = await h.fake.waitFor(() => h.fake.views[0]);
    expect(opened.view.title.text).toBe('Correct a troop figure');
    expect(opened.view.blocks.map((b: any) => b.block_id)).toEqual(['id', 'count', 'source', 'publisher', 'title', 'published']);
    await submit(ANN, opened, {
      id: 'france-2023-07',
      count: '1400',
      source: 'https://example.org/fr',
      publisher: 'AFP',
      title: 'Figures',
      published: '2026-11-21',
    });
    const post = await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[0]);
    expect(visibleText(post)).toMatch(/Proposal P-[A-Z2-9]{6}: correction of deployments france-2023-07/);
    expect(visibleText(post)).toMatch(/count: 1500 → 1400/);
  });

  it('an event in its modal: the summary a text area, the post escaped, approved by a second editor as an events revision', async () => {
    const { opened } = await openForm(ANN, 'propose event');
    expect(opened.view.title.text).toBe('Propose an event');
    const blocks = opened.view.blocks as any[];
    expect(blocks.map((b) => [b.block_id, b.optional])).toEqual([
      ['date', false],
      ['headline', false],
      ['summary', false],
      ['tags', true],
      ['actors', true],
      ['places', true],
      ['source', false],
      ['publisher', false],
      ['title', false],
      ['published', false],
    ]);
    expect(blocks.find((b) => b.block_id === 'summary').element.multiline).toBe(true);
    const bad = await submit(ANN, opened, {
      date: '2026-11-20',
      headline: 'Italy leaves',
      summary: 'S.',
      tags: 'italy',
      places: 'atlantis',
      source: 'https://example.org/e',
      publisher: 'ANSA',
      title: 'Ritiro',
      published: '2026-11-21',
    });
    expect(bad).toMatchObject({
      response_action: 'errors',
      errors: { places: expect.stringMatching(/^places: the knowledge base knows nothing called “atlantis”/) },
    });
    const ack = await submit(ANN, opened, {
      date: '2026-11-20',
      headline: '<!channel> @everyone Italy leaves Niamey',
      summary: 'Italy flew its last soldiers out of Niamey.',
      tags: 'italy, withdrawal',
      places: 'Niamey',
      source: 'https://example.org/e',
      publisher: 'ANSA',
      title: 'Ritiro',
      published: '2026-11-21',
    });
    expect(ack).toEqual({});
    const post = structuredClone(await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[0]));
    const shown = visibleText(post);
    expect(shown).toMatch(/Proposal P-[A-Z2-9]{6}: new events channel-everyone-italy-leaves-niamey-2026-11-20/);
    expect(shown).toContain('title: <!channel> @everyone Italy leaves Niamey');
    expect(shown).toContain('places: ["niamey"]');
    expect(slackMentions(h.fake.callsTo('chat.postMessage').at(-1)!.args)).toEqual([]);
    await press(BEN, post, 'Approve');
    await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[0]?.edited);
    expect(visibleText(h.fake.messagesIn(EDITORS)[0]!)).toContain(`approved by slack:${BEN}`);
    const [rev] = await db.raw("SELECT kind, author, approver FROM knowledge_revisions WHERE entry_id = 'channel-everyone-italy-leaves-niamey-2026-11-20'");
    expect(rev).toEqual({ kind: 'events', author: `slack:${ANN}`, approver: `slack:${BEN}` });
  });

  it('the text syntax still works on Slack without a form; a mention cannot open one', async () => {
    const typed = await slashOverHttp(
      h,
      'propose troops country:Spain count:0 date:2026-11-20 source:https://example.org/es publisher:EFE title:Retirada published:2026-11-21',
      { user_id: READER },
    );
    expect(visibleText(typed.message)).toMatch(/Proposal P-[A-Z2-9]{6}/);
    expect(h.fake.views).toEqual([]);
    await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[0]);
    // Reviewing is for editors: a reader is refused by the command's declared precondition.
    const review = await slashOverHttp(h, 'review', { user_id: READER });
    expect(visibleText(review.message)).toContain('Only editors may review proposals.');
    const byEditor = await slashOverHttp(h, 'review', { user_id: ANN });
    expect(visibleText(byEditor.message)).toMatch(/proposals? waiting/);
  });
});

describe('Slack Socket Mode: the same forms and buttons over the WebSocket', () => {
  it('a modal opens from a slash_commands envelope; an invalid submission is answered with errors in the ack', async () => {
    const socket = await startHarness(bot, { mode: 'socket', config: { editorUserIds: [ANN], editorChannelId: EDITORS } });
    try {
      await socket.fake.sendEnvelope('slash_commands', slashCommandFields(socket.fake, { text: 'propose troops', user_id: ANN }));
      const opened = await socket.fake.waitFor(() => socket.fake.views[0], 3000, 'a modal');
      const bad = await socket.fake.sendEnvelope('interactive', viewSubmission(socket.fake, opened, ANN, { ...ITALY, country: 'Malta', count: 'lots' }));
      expect(bad.payload).toMatchObject({ response_action: 'errors', errors: { count: expect.stringMatching(/count/) } });
      const before = await pendingIds();
      const good = await socket.fake.sendEnvelope('interactive', viewSubmission(socket.fake, opened, ANN, { ...ITALY, country: 'Malta' }));
      expect(good.payload ?? {}).toEqual({});
      await socket.fake.waitFor(() => socket.fake.messagesIn(EDITORS)[0]);
      expect((await pendingIds()).length).toBe(before.length + 1);
    } finally {
      await socket.close();
    }
  });
});

describe('Slack: an office term in a modal', () => {
  it('propose term opens every option as its own input; a bad holder is named at its input; a good term is posted with its diff and approved by another editor', async () => {
    const { opened } = await openForm(ANN, 'propose term');
    expect(opened.view.title.text).toBe('Propose an office term');
    expect(opened.view.blocks.map((b: any) => [b.block_id, b.optional])).toEqual([
      ['office', false],
      ['holder', false],
      ['role', true],
      ['start', false],
      ['began', false],
      ['end', true],
      ['ended', true],
      ['source', false],
      ['publisher', false],
      ['title', false],
      ['published', false],
    ]);
    const term = {
      office: 'niger-army-chief-of-staff',
      holder: 'Nobody Known',
      start: '2026-11-20',
      began: 'Appointed by decree',
      source: 'https://example.org/army',
      publisher: 'ORTN',
      title: 'Army',
      published: '2026-11-21',
    };
    const before = await pendingIds();
    const bad = await submit(ANN, opened, term);
    expect(bad.response_action).toBe('errors');
    expect(Object.keys(bad.errors)).toEqual(['holder']);
    expect(bad.errors.holder).toMatch(/^holder: the knowledge base knows nothing called “Nobody Known”/);
    const future = await submit(ANN, opened, { ...term, holder: 'Tiani', start: '2027-01-01' });
    expect(Object.keys(future.errors)).toEqual(['start']);
    expect(await pendingIds()).toEqual(before);

    const posted = h.fake.messagesIn(EDITORS).length;
    expect(await submit(ANN, opened, { ...term, holder: 'Tiani' })).toEqual({});
    const post = structuredClone(await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[posted]));
    const shown = visibleText(post);
    expect(shown).toMatch(/Proposal P-[A-Z2-9]{6}: correction of offices niger-army-chief-of-staff/);
    // The army chief's term has no start (a date a source shows him in office): it is not open, so nothing ends.
    expect(shown).toContain('terms.abdourahamane-tiani-army-chief-of-staff.start: – → 2026-11-20');
    expect(shown).not.toContain('abdou-sidikou-issa-army-chief-of-staff.end');
    await press(BEN, post, 'Approve');
    await h.fake.waitFor(() => h.fake.messagesIn(EDITORS)[posted]?.edited);
    expect(visibleText(h.fake.messagesIn(EDITORS)[posted]!)).toContain(`approved by slack:${BEN}`);
    const [revision] = await db.raw(
      "SELECT revision, approver FROM knowledge_revisions WHERE kind = 'offices' AND entry_id = 'niger-army-chief-of-staff' AND superseded_by IS NULL",
    );
    expect(revision).toMatchObject({ revision: 2, approver: `slack:${BEN}` });
  });
});
