import { PermissionFlagsBits } from 'discord.js';
import { buildCommands, EDITORS_COMMAND } from '../../src/adapters/discord/definitions.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { StoreRevisionService } from '../../src/storage/revision-service.ts';
import { importSeed, readSeed } from '../../src/storage/seed.ts';
import { testBot } from '../helpers/bot.ts';
import { sqliteBackend, type TestDb } from '../storage/backends.ts';
import { startHarness, type Harness } from './harness.ts';

// Editors from chat on Discord, through the real discord.js against the fake Discord: `/niger-edit propose troops` with no
// options answers with a modal (type 9), its submission (interaction type 5) stores the proposal and posts it to the
// editors' channel with Approve / Reject buttons; a second editor's press (type 3) approves it through the same service
// and the post is updated in place (type 7). Nothing of ours is mocked.

const NOW = Date.parse('2026-11-29T09:00:00Z');
const SEED = readSeed(DEFAULT_DATA_DIR);
const EDITORS = '1190000000000000777';
const EDITOR_ROLE = '1190000000000000888';
const MANAGE_SERVER = String(PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel);
const MEMBER = String(PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel);
const ANN = { userId: '1190000000000000301', permissions: MANAGE_SERVER }; // Manage Server
const BEN = { userId: '1190000000000000302', permissions: MEMBER, roles: [EDITOR_ROLE] }; // the editor role
const READER = { userId: '1190000000000000303', permissions: MEMBER };

let db: TestDb;
let bot: Bot;
let h: Harness;

async function statusOf(id: string): Promise<string | undefined> {
  return (await db.raw(`SELECT status FROM knowledge_proposals WHERE id = '${id}'`))[0]?.status as string | undefined;
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
  h = await startHarness(bot, { config: { editorRoleId: EDITOR_ROLE, editorChannelId: EDITORS } });
});
afterEach(async () => {
  await h?.close();
});

/** `/niger-edit propose troops` with no options: the modal Discord is asked to show. */
async function openForm(who: object, path = 'propose troops') {
  const result = await h.fake.dispatchInteraction({ command: EDITORS_COMMAND, path, options: {}, ...who }).result();
  expect(result.callback.status).toBe(204);
  expect(result.modal).toBeDefined();
  return result.modal;
}

function submitForm(who: object, modal: any, fields: Record<string, string>, message?: any) {
  return h.fake
    .dispatchInteraction({ kind: 'modal_submit', customId: modal.custom_id, fields, ...(message ? { message, channelId: EDITORS } : {}), ...who })
    .result();
}

function press(who: object, message: any, label: string) {
  const button = message.components.flatMap((row: any) => row.components).find((b: any) => b.label === label);
  if (!button) throw new Error(`no ${label} button`);
  return h.fake.dispatchInteraction({ kind: 'component', customId: button.custom_id, message, channelId: EDITORS, ...who }).result();
}

const ITALY = { country: 'Italy', count: '0', date: '2026-11-20', source: 'https://example.org/italy', citation: 'ANSA | Ritiro | 2026-11-21' };

describe('Discord: propose in a modal, review with buttons', () => {
  it('modal (type 9) → submit (type 5) → post in the editors channel → Approve by a second editor (type 3) → approved, post updated (type 7)', async () => {
    const modal = await openForm(ANN);
    expect(modal.title).toBe('Propose a troop figure');
    // Five inputs at most: the source's publisher, title and day share one ("citation"), the rest are one each.
    const inputs = modal.components.map((row: any) => row.components[0]);
    expect(inputs.map((i: any) => i.custom_id)).toEqual(['country', 'count', 'date', 'source', 'citation']);
    expect(inputs.every((i: any) => i.label.length <= 45 && i.required)).toBe(true);

    const submitted = await submitForm(ANN, modal, ITALY);
    expect(submitted.ephemeral).toBe(true);
    const id = /P-[A-Z2-9]{6}/.exec(JSON.stringify(submitted.message.embeds))?.[0];
    expect(id).toBeDefined();
    expect(await statusOf(id!)).toBe('pending');

    const post = await h.fake.waitFor((r) => r.route === 'POST /channels/:id/messages' && r.status === 200).then(() => h.fake.channelMessages(EDITORS)[0]);
    expect(post.embeds[0].title).toBe(`Proposal ${id}: new deployments italy-2026-11-20`);
    expect(JSON.stringify(post.embeds)).toContain('ANSA');
    expect(post.components[0].components.map((b: any) => [b.label, b.style])).toEqual([
      ['Approve', 1],
      ['Reject', 4],
    ]);
    const original = structuredClone(post);

    // The author approving their own: an ephemeral refusal, the post unchanged.
    const own = await press(ANN, original, 'Approve');
    expect(own.callback.body.type).toBe(4);
    expect(own.ephemeral).toBe(true);
    expect(JSON.stringify(own.message.embeds)).toMatch(/is yours: another editor must approve it/);
    expect(await statusOf(id!)).toBe('pending');

    // The editor role approves: the post is updated in place with the outcome, its buttons gone.
    const approved = await press(BEN, original, 'Approve');
    expect(approved.updated).toBe(true);
    const updated = h.fake.channelMessages(EDITORS)[0];
    expect(updated.embeds[0].title).toBe(`Approved ${id}`);
    expect(updated.components).toEqual([]);
    expect(await statusOf(id!)).toBe('approved');

    // An old copy pressed again: a clear ephemeral message, nothing changes.
    const again = await press(ANN, original, 'Approve');
    expect(again.ephemeral).toBe(true);
    expect(JSON.stringify(again.message.embeds)).toMatch(/already approved/);
  });

  it('a non-editor pressing Approve or Reject is refused privately; Reject by an editor asks for a reason and updates the post', async () => {
    const modal = await openForm(BEN);
    await submitForm(BEN, modal, { ...ITALY, country: 'Belgium' });
    await h.fake.waitFor((r) => r.route === 'POST /channels/:id/messages' && r.status === 200);
    const post = structuredClone(h.fake.channelMessages(EDITORS)[0]);
    const id = /P-[A-Z2-9]{6}/.exec(post.embeds[0].title)![0];
    for (const label of ['Approve', 'Reject']) {
      const refused = await press(READER, post, label);
      expect(refused.ephemeral).toBe(true);
      expect(JSON.stringify(refused.message.embeds)).toMatch(/Only editors may (approve|reject) proposals/);
    }
    expect(await statusOf(id)).toBe('pending');

    const reject = await press(ANN, post, 'Reject');
    expect(reject.modal.components.map((row: any) => row.components[0].custom_id)).toEqual(['reason']);
    expect(reject.modal.components[0].components[0].style).toBe(2);
    const done = await submitForm(ANN, reject.modal, { reason: '@everyone <@&1> **no** figure' }, post);
    expect(done.updated).toBe(true);
    expect(await statusOf(id)).toBe('rejected');
    const updated = h.fake.channelMessages(EDITORS)[0];
    expect(updated.embeds[0].title).toBe(`Rejected ${id}`);
    // What the editor typed is shown escaped: no mention markup, no bold.
    expect(updated.embeds[0].description).toContain('\\*\\*no\\*\\*');
    expect(done.callback.body.data.allowed_mentions).toEqual({ parse: [] });
    expect(updated.components).toEqual([]);
  });

  it('invalid fields are named in an ephemeral message and nothing is stored; the DM is used without an editors channel', async () => {
    const modal = await openForm(ANN);
    const bad = await submitForm(ANN, modal, { ...ITALY, count: 'many' });
    expect(bad.ephemeral).toBe(true);
    expect(JSON.stringify(bad.message.embeds)).toMatch(/Number of troops: /);
    const parts = await submitForm(ANN, modal, { ...ITALY, citation: 'ANSA only' });
    // Discord markdown: the label's pipes arrive escaped.
    expect(parts.message.embeds[0].description).toBe('Publisher \\| title \\| published: Give 3 parts separated by “\\|”.');
    const url = await submitForm(ANN, modal, { ...ITALY, source: 'javascript:alert(1)' });
    expect(JSON.stringify(url.message.embeds)).toMatch(/not an http\(s\) URL/);
    expect(h.fake.channelMessages(EDITORS)).toEqual([]);
    expect((await db.raw("SELECT COUNT(*) AS n FROM knowledge_proposals WHERE proposed_id = 'italy-2026-11-20' AND status = 'pending'"))[0]!.n).toBe(0);

    await h.close();
    h = await startHarness(bot, { config: { editorRoleId: EDITOR_ROLE } });
    const again = await openForm(ANN);
    await submitForm(ANN, again, { ...ITALY, country: 'Austria' });
    const dm = await h.fake.waitFor((r) => r.route === 'POST /users/@me/channels');
    expect(dm.body.recipient_id).toBe(ANN.userId);
    await h.fake.waitFor((r) => r.route === 'POST /channels/:id/messages' && r.status === 200);
  });

  it('with options the text syntax runs as before; a reader is refused review by the declared precondition', async () => {
    const typed = await h.fake.dispatchInteraction({ command: EDITORS_COMMAND, path: 'review', options: {}, ...READER }).result();
    expect(typed.ephemeral).toBe(true);
    expect(JSON.stringify(typed.message.embeds)).toContain('Only editors may review proposals.');
    const byRole = await h.fake.dispatchInteraction({ command: EDITORS_COMMAND, path: 'review', options: {}, ...BEN }).result();
    expect(JSON.stringify(byRole.message.embeds)).toMatch(/proposals? waiting|No proposal is waiting/);
  });
});

describe('Discord: kinds declared for the modal only', () => {
  it('/niger-edit propose event is declared without typed options; its modal holds five inputs; a wrong place is named, a good one posted', async () => {
    const edit = buildCommands(bot.registry).find((c) => c.name === EDITORS_COMMAND)!;
    const propose = edit.options!.find((o) => o.name === 'propose')!;
    const event = propose.options!.find((o) => o.name === 'event')!;
    expect(event.options).toBeUndefined();
    expect(propose.options!.find((o) => o.name === 'troops')!.options?.length).toBeGreaterThan(0);
    const modal = await openForm(ANN, 'propose event');
    expect(modal.title).toBe('Propose an event');
    const inputs = modal.components.map((row: any) => row.components[0]);
    expect(inputs.map((i: any) => [i.custom_id, i.required, i.style])).toEqual([
      ['date', true, 1],
      ['headline', true, 1],
      ['summary', true, 2],
      ['about', false, 1],
      ['cited', true, 1],
    ]);
    const fields = {
      date: '2026-11-20',
      headline: 'Italy leaves Niamey @everyone',
      summary: 'Italy flew its last soldiers out of Niamey.',
      about: 'italy, withdrawal | | Atlantis',
      cited: 'https://example.org/e | ANSA | Ritiro | 2026-11-21',
    };
    const bad = await submitForm(ANN, modal, fields);
    expect(bad.ephemeral).toBe(true);
    expect(JSON.stringify(bad.message.embeds)).toMatch(/"description":"places: the knowledge base knows nothing called “Atlantis”/);
    const before = h.fake.channelMessages(EDITORS).length;
    const good = await submitForm(ANN, modal, { ...fields, about: 'italy, withdrawal | | Niamey' });
    const id = /P-[A-Z2-9]{6}/.exec(JSON.stringify(good.message.embeds))?.[0];
    expect(await statusOf(id!)).toBe('pending');
    await h.fake.waitFor(() => h.fake.channelMessages(EDITORS).length > before);
    const post = h.fake.channelMessages(EDITORS).at(-1);
    expect(post.embeds[0].title).toBe(`Proposal ${id}: new events italy-leaves-niamey-everyone-2026-11-20`);
    // The mention the editor typed is shown, never sent as one.
    const sent = h.fake.requests.filter((r) => r.route === 'POST /channels/:id/messages').at(-1)!;
    expect(sent.body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('Discord: an office term in a modal', () => {
  it('/niger-edit propose term alone opens five inputs; a bad holder or a part missing is named; a good term is posted with its diff and approved by another editor', async () => {
    const modal = await openForm(ANN, 'propose term');
    expect(modal.title).toBe('Propose an office term');
    const inputs = modal.components.map((row: any) => row.components[0]);
    // Eleven options in five inputs: holder and title share one, the two days one, how it began and ended one, the source one.
    expect(inputs.map((i: any) => [i.custom_id, i.label, i.required])).toEqual([
      ['office', 'Office (id or name)', true],
      ['holding', 'Holder | title in office', true],
      ['span', 'Start | end (YYYY-MM-DD)', true],
      ['how', 'How it began | how it ended', true],
      ['cited', 'Source URL | publisher | title | published', true],
    ]);
    const fields = {
      office: 'prime minister',
      holding: 'Nobody Known | ',
      span: '2026-11-20 | ',
      how: 'Appointed by decree | ',
      cited: 'https://example.org/decree | ORTN | Decree | 2026-11-21',
    };
    const before = h.fake.channelMessages(EDITORS).length;
    const bad = await submitForm(ANN, modal, fields);
    expect(bad.ephemeral).toBe(true);
    expect(bad.message.embeds[0].description).toMatch(/^holder: the knowledge base knows nothing called “Nobody Known”/);
    const parts = await submitForm(ANN, modal, { ...fields, holding: 'Zeine', span: '2026-11-20' });
    expect(parts.message.embeds[0].description).toMatch(/Give 2 parts separated by/);
    expect(h.fake.channelMessages(EDITORS).length).toBe(before);

    const good = await submitForm(ANN, modal, { ...fields, holding: 'abdourahamane-tiani | Prime minister (interim)' });
    const id = /P-[A-Z2-9]{6}/.exec(JSON.stringify(good.message.embeds))?.[0];
    expect(await statusOf(id!)).toBe('pending');
    await h.fake.waitFor(() => h.fake.channelMessages(EDITORS).length > before);
    const post = structuredClone(h.fake.channelMessages(EDITORS).at(-1));
    expect(post.embeds[0].title).toBe(`Proposal ${id}: correction of offices niger-prime-minister`);
    const changes = post.embeds[0].fields[0].value;
    expect(changes).toContain('terms.ali-mahaman-lamine-zeine-prime-minister.end: – → 2026-11-20');
    expect(changes).toContain('terms.abdourahamane-tiani-prime-minister.title: – → Prime minister (interim)');
    const approved = await press(BEN, post, 'Approve');
    expect(approved.updated).toBe(true);
    expect(await statusOf(id!)).toBe('approved');
    const [revision] = await db.raw(
      "SELECT entry FROM knowledge_revisions WHERE kind = 'offices' AND entry_id = 'niger-prime-minister' AND superseded_by IS NULL",
    );
    const terms = JSON.parse(String(revision!.entry)).terms as { id: string; end?: string }[];
    expect(terms.map((t) => [t.id, t.end])).toEqual([
      ['ouhoumoudou-mahamadou-prime-minister', '2023-08-07'],
      ['ali-mahaman-lamine-zeine-prime-minister', '2026-11-20'],
      ['abdourahamane-tiani-prime-minister', undefined],
    ]);
  });

  it('/niger-edit propose correct-term alone opens five inputs: the term id, then only optional fields but the source', async () => {
    const modal = await openForm(ANN, 'propose correct-term');
    expect(modal.title).toBe('Correct an office term');
    expect(modal.components.map((row: any) => [row.components[0].custom_id, row.components[0].label, row.components[0].required])).toEqual([
      ['id', 'Term id', true],
      ['holding', 'Holder | title in office', false],
      ['span', 'Start | end (YYYY-MM-DD)', false],
      ['how', 'How it began | how it ended', false],
      ['cited', 'Source URL | publisher | title | published', true],
    ]);
    const unknown = await submitForm(ANN, modal, { id: 'atlantis-2022', how: ' | Dismissed', cited: 'https://example.org/d | ORTN | Decree | 2026-11-21' });
    expect(unknown.ephemeral).toBe(true);
    expect(unknown.message.embeds[0].description).toMatch(/^No office term has the id “atlantis-2022”/);
  });
});
