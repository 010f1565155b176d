import type { types } from '@slack/bolt';
import { longDate } from '../../knowledge/dates.ts';
import { citationsShown, moreSources, shownTitle } from '../../core/citations-shown.ts';
import { FALLBACK_LANG, t } from '../../core/i18n.ts';
import { renderText } from '../../core/render-text.ts';
import type { FormCapabilities } from '../../core/command.ts';
import type { Citation, Reply, ReplyForm } from '../../core/reply.ts';
import { actionBlocks, actionBlocksSize } from './actions.ts';
import { escapeSlack, mrkdwnLiteral, slackLink } from './escape.ts';

type Block = types.KnownBlock;
type PlainText = types.PlainTextElement;

/**
 * Slack's Block Kit limits, and the budget we keep under. Slack rejects a message whose blocks are too
 * long (`msg_blocks_too_long`, around 13,000 characters); the budget counts the blocks' JSON, which is
 * always more than their text, so a message within it is within Slack's limit.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  /** One context element; Slack allows 3,000, shorter elements wrap better. */
  contextText: 2000,
  /** JSON characters of all blocks together. */
  blocksJson: 12_000,
  /** JSON characters the source list may take before it is cut ("…and N more sources"). */
  citationsJson: 4000,
  /** The notification / accessibility fallback (`text`). */
  fallbackText: 3000,
  /** A source title in the context line. */
  citationTitle: 100,
} as const;

export type SlackLimits = { readonly [K in keyof typeof SLACK_LIMITS]: number };

/** A Reply as a Slack message: Block Kit plus the plain-text fallback. */
export interface SlackMessage {
  blocks: Block[];
  text: string;
}

export interface RenderedReply extends SlackMessage {
  /** List entries (reply.items) left out to stay within the limits; the message says so. */
  omittedItems: number;
  /** Citations left out of the context line; the message says so. */
  omittedCitations: number;
}

/**
 * Renders a Reply as Block Kit within Slack's limits: a header, the answer, fields, the list entries, notes,
 * and a context line with the as-of date and the sources (linked where there is a URL).
 *
 * Everything taken from the Reply is escaped (`&`, `<`, `>`) and — except the sources — sent as
 * `plain_text`, which Slack never reads as formatting, mentions or links: user text echoed in an answer
 * cannot ping a channel or restyle the message. The sources line is `mrkdwn` (for the links) with the
 * labels escaped and formatting characters neutralised. Long lists are trimmed with a note rather than
 * rejected: one answer is always one message.
 */
export function renderReply(reply: Reply, limits: SlackLimits = SLACK_LIMITS): RenderedReply {
  const lang = reply.lang ?? FALLBACK_LANG;
  const headerText = fitEscaped(reply.title || 'Niger Watch', limits.headerText);
  const header: Block = headerBlock(headerText);
  const { blocks: context, json: contextJson, omitted: omittedCitations } = contextBlocks(reply, limits);

  // The budget is spent in order of importance: header, sources, caveats, fields, body, list entries.
  // Room for the "…not shown" note is kept aside from the start.
  const budget = {
    json: limits.blocksJson - (HEADER_JSON + jsonLength(headerText)) - contextJson - TRIM_NOTE_RESERVE,
    blocks: limits.blocks - 1 - context.length - 1,
  };
  let cut = false;
  const take = (candidates: SizedBlock[]): Block[] => {
    const kept: Block[] = [];
    for (const { block, json } of candidates) {
      if (json > budget.json || budget.blocks < 1) {
        cut = true;
        break;
      }
      kept.push(block);
      budget.json -= json;
      budget.blocks -= 1;
    }
    return kept;
  };
  const note = t(lang, 'render.note');
  const notes = take(chunkEscaped(reply.notes.map((n) => `${note} ${n}`).join('\n'), limits.sectionText).map(sizedSection));
  const fields = take(fieldSections(reply, limits));
  const body = take(chunkEscaped(reply.body, limits.sectionText).map(sizedSection));

  // List entries fill what is left: the most entries whose sections still fit.
  const lines = reply.items.map((i) => fitEscaped(`• ${i}`, limits.sectionText));
  let shown = linesThatFit(lines, limits.sectionText, budget);
  let items = packLines(shown === lines.length ? lines : lines.slice(0, shown), limits.sectionText);
  if (shown === 0 && reply.items.length > 0 && budget.blocks >= 1) {
    // Not even the first entry fits whole: show as much of it as fits.
    let max = Math.min(limits.sectionText, budget.json - 100);
    while (max > 100) {
      const first = fitEscaped(`• ${reply.items[0]}`, max);
      if (SECTION_JSON + jsonLength(first) <= budget.json) {
        items = [section(first)];
        shown = 1;
        break;
      }
      max = Math.floor(max * 0.8);
    }
  }
  const omittedItems = lines.length - shown;

  const blocks: Block[] = [header, ...body, ...fields, ...items];
  if (omittedItems > 0 || cut) {
    const what = omittedItems > 0 ? t(lang, 'render.notShown.items', { count: omittedItems }) : t(lang, 'render.notShown.rest');
    blocks.push({
      type: 'context',
      elements: [plain(escapeSlack(t(lang, 'render.notShown.slack', { what })))],
    });
  }
  blocks.push(...notes, ...context);

  return {
    blocks,
    text: fitEscaped(renderText(reply), limits.fallbackText),
    omittedItems,
    omittedCitations,
  };
}

/**
 * Just the message payload (`blocks` and `text`) of {@link renderReply}, with the reply's actions last (see
 * actions.ts): the answer is laid out within what the action blocks leave of the limits, so one answer with its
 * buttons is always one message Slack accepts.
 */
export function renderMessage(reply: Reply, limits: SlackLimits = SLACK_LIMITS): SlackMessage {
  if (!reply.actions?.length) {
    const { blocks, text } = renderReply(reply, limits);
    return { blocks, text };
  }
  const extra = actionBlocks(reply.actions);
  const size = actionBlocksSize(extra);
  const { blocks, text } = renderReply(reply, { ...limits, blocks: limits.blocks - size.blocks, blocksJson: limits.blocksJson - size.json });
  return { blocks: [...blocks, ...extra], text };
}

export { ACTION_ID_PREFIX, FEEDBACK_ID, LINK_ID_PREFIX, PICKER_ID_PREFIX } from './actions.ts';
/** The callback_id of our modals (Bolt routes submissions by it). */
export const FORM_CALLBACK_ID = 'nw-form';

/** Slack's modal limits: a title and submit label of 24 characters, placeholders of 150, inputs of 3,000. */
export const SLACK_FORMS: FormCapabilities = { maxFields: 100, maxLabel: 2000, maxPlaceholder: 150, maxTitle: 24 };

/**
 * A form as a Slack modal: one input block per field, the field's name as its block_id (so `response_action: errors`
 * can name it), the form's state in private_metadata. Labels and hints are plain_text: nothing typed is read as markup.
 */
export function renderModal(form: ReplyForm, privateMetadata: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    private_metadata: privateMetadata,
    title: plain(fitEscaped(form.title, SLACK_FORMS.maxTitle)),
    submit: plain(fitEscaped(form.submitLabel, 24)),
    blocks: form.fields.map((f) => ({
      type: 'input' as const,
      block_id: f.name,
      optional: !f.required,
      label: plain(fitEscaped(f.label, SLACK_FORMS.maxLabel)),
      element: {
        type: 'plain_text_input' as const,
        action_id: 'value',
        multiline: f.multiline,
        max_length: Math.min(f.maxLength, 3000),
        ...(f.placeholder ? { placeholder: plain(fitEscaped(f.placeholder, SLACK_FORMS.maxPlaceholder)) } : {}),
      },
    })),
  };
}

/**
 * A day as Slack shows dates in the reader's own locale and time zone (`<!date^UNIX^{date_long}|fallback>`), the
 * fallback in the answer's style. Noon UTC, so every time zone from UTC−11 to UTC+11 shows the same day.
 */
export function slackDate(iso: string, lang: string): string {
  const fallback = mrkdwnLiteral(longDate(iso, lang)).replace(/\|/g, '/');
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return fallback;
  const unix = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12) / 1000;
  return `<!date^${unix}^{date_long}|${fallback}>`;
}

/** Room kept for the "…N more not shown" note while the body is placed. */
const TRIM_NOTE_RESERVE = 260;

/** A block with its share of the JSON budget (see {@link SECTION_JSON}). */
interface SizedBlock {
  block: Block;
  json: number;
}

/** Lines joined into as few sections as possible, each at most `max` characters. */
function packLines(lines: string[], max: number): Block[] {
  const out: Block[] = [];
  let text = '';
  for (const line of lines) {
    if (text && text.length + 1 + line.length > max) {
      out.push(section(text));
      text = '';
    }
    text = text ? `${text}\n${line}` : line;
  }
  if (text) out.push(section(text));
  return out;
}

/**
 * How many of `lines`, from the first, {@link packLines} can pack into sections within the blocks and JSON
 * left. It follows packLines step by step, counting instead of building: adding a line never makes the
 * sections fewer or smaller, so the first line that does not fit ends the count (the same answer as a search
 * over every prefix, without packing and measuring each).
 */
function linesThatFit(lines: string[], max: number, budget: { json: number; blocks: number }): number {
  let blocks = 0;
  let json = 0;
  /** Characters of the section being filled; 0 when none is open (packLines' `text` is empty). */
  let openLength = 0;
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (openLength && openLength + 1 + line.length > max) openLength = 0;
    if (openLength) {
      // Joined with "\n", which is two JSON characters.
      openLength += 1 + line.length;
      json += 2 + jsonLength(line);
    } else if (line) {
      openLength = line.length;
      blocks += 1;
      json += SECTION_JSON + jsonLength(line);
    }
    if (blocks > budget.blocks || json > budget.json) return k;
  }
  return lines.length;
}

function plain(text: string): PlainText {
  return { type: 'plain_text', text, emoji: false };
}

function section(text: string): Block {
  return { type: 'section', text: plain(text) };
}

function sizedSection(text: string): SizedBlock {
  return { block: section(text), json: SECTION_JSON + jsonLength(text) };
}

function headerBlock(text: string): Block {
  return { type: 'header', text: plain(text) };
}

function contextBlock(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text, verbatim: true }] };
}

/**
 * What a block adds to the JSON budget: the length of its JSON plus a separating comma. A block's JSON is a
 * fixed frame around its JSON-escaped text, so it is measured once here with an empty text (whose `""` is
 * part of the frame) and a block's size is the frame plus {@link jsonLength} of its text — the same number
 * as stringifying the block, without doing so for every block and every candidate list.
 */
const SECTION_JSON = JSON.stringify(section('')).length + 1;
const HEADER_JSON = JSON.stringify(headerBlock('')).length + 1;
const CONTEXT_JSON = JSON.stringify(contextBlock('')).length + 1;
/** A section of fields, measured without any: each field adds FIELD_JSON and its text, plus a comma between two. */
const FIELDS_SECTION_JSON = JSON.stringify({ type: 'section', fields: [] }).length + 1;
const FIELD_JSON = JSON.stringify(literalMrkdwn('')).length;

/**
 * A field as mrkdwn with its label in bold: both parts are shown literally (escaped, formatting characters
 * neutralised, `verbatim` so Slack links no names or channels), so only our own asterisks format anything.
 */
function boldField(name: string, value: string, lang: string, max: number): types.MrkdwnElement {
  const cut = (text: string, room: number) => (text.length <= room ? text : `${safeCut(text, Math.max(1, room - 1)).trimEnd()}…`);
  const shownName = name ? cut(mrkdwnLiteral(name), 200) : '';
  const label = shownName ? `*${shownName}*` : '';
  if (!value || !label) return literalMrkdwn(cut(label || mrkdwnLiteral(value), max));
  const frame = t(lang, 'render.field', { name: label, value: '' }).length;
  return literalMrkdwn(t(lang, 'render.field', { name: label, value: cut(mrkdwnLiteral(value), max - frame) }));
}

function literalMrkdwn(text: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

function fieldSections(reply: Reply, limits: SlackLimits): SizedBlock[] {
  const lang = reply.lang ?? FALLBACK_LANG;
  const fields = reply.fields.filter((f) => f.name || f.value).map((f) => boldField(f.name, f.value, lang, limits.fieldText));
  const out: SizedBlock[] = [];
  for (let i = 0; i < fields.length; i += limits.fieldsPerSection) {
    const group = fields.slice(i, i + limits.fieldsPerSection);
    // Fields are separated by commas: one fewer than there are fields.
    let json = FIELDS_SECTION_JSON + group.length - 1;
    for (const field of group) json += FIELD_JSON + jsonLength(field.text);
    out.push({ block: { type: 'section', fields: group }, json });
  }
  return out;
}

/** `Publisher, “Title”, 5 September 2023`; a placeholder title is left out (publisher and date, linked). */
function citationLabel(c: Citation, limits: SlackLimits, lang: string): string {
  const date = longDate(c.published, lang);
  const full = shownTitle(c);
  if (full === null) return `${c.publisher}, ${date}`;
  const title = full.length > limits.citationTitle ? `${full.slice(0, limits.citationTitle - 1)}…` : full;
  return `${c.publisher}, “${title}”, ${date}`;
}

/**
 * The context line: as-of date and the first sources (see citationsShown), cut to the citation budget, with
 * "…and N more sources" for the rest. Also returns the JSON budget the blocks take.
 */
function contextBlocks(reply: Reply, limits: SlackLimits): { blocks: Block[]; json: number; omitted: number } {
  const lang = reply.lang ?? FALLBACK_LANG;
  const head = [reply.asOf ? t(lang, 'render.asOf', { date: slackDate(reply.asOf, lang) }) : '', reply.citations.length ? t(lang, 'render.sources.text') : '']
    .filter(Boolean)
    .join(' · ');
  if (!head) return { blocks: [], json: 0, omitted: 0 };
  const headJson = jsonLength(head);
  const lines: string[] = [head];
  /** jsonLength of each of `lines`, to size the blocks without measuring their joined text again. */
  const lineJsons: number[] = [headJson];
  let omitted = 0;
  let budget = limits.citationsJson - headJson - 120;
  const { shown, more } = citationsShown(reply.citations);
  shown.forEach((c, i) => {
    if (omitted > 0) {
      omitted += 1;
      return;
    }
    const label = citationLabel(c, limits, lang);
    let line = `${i + 1}. ${slackLink(c.url, label)}`;
    if (line.length > limits.contextText) line = `${i + 1}. ${mrkdwnLiteral(label.slice(0, 300))}`;
    const lineJson = jsonLength(line);
    const cost = lineJson + 2;
    if (cost > budget) {
      omitted = 1;
      return;
    }
    budget -= cost;
    lines.push(line);
    lineJsons.push(lineJson);
  });
  omitted += more;
  if (omitted > 0) {
    const line = moreSources(omitted, lang);
    lines.push(line);
    lineJsons.push(jsonLength(line));
  }
  // Pack the lines into context elements of at most contextText characters, one element per block so
  // they stack vertically.
  const blocks: Block[] = [];
  let json = 0;
  let text = '';
  let textJson = 0;
  lines.forEach((line, i) => {
    if (text && text.length + 1 + line.length > limits.contextText) {
      blocks.push(contextBlock(text));
      json += CONTEXT_JSON + textJson;
      text = '';
    }
    // Joined with "\n", which is two JSON characters (and keeps a lone surrogate at either side lone).
    textJson = text ? textJson + 2 + lineJsons[i]! : lineJsons[i]!;
    text = text ? `${text}\n${line}` : line;
  });
  if (text) {
    blocks.push(contextBlock(text));
    json += CONTEXT_JSON + textJson;
  }
  return { blocks, json, omitted };
}

/**
 * Characters that JSON.stringify may write as an escape sequence: `"`, `\`, control characters, and surrogates
 * (a lone one is escaped, a pair is not; text with either is left to JSON.stringify to tell apart).
 */
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Length of `text` in JSON, without the quotes. */
function jsonLength(text: string): number {
  // Most text has nothing JSON escapes, and then its JSON is just the text; only the rest is stringified.
  return JSON_ESCAPED.test(text) ? JSON.stringify(text).length - 2 : text.length;
}

/** Escapes `raw` and cuts it to `max` characters (with "…"), never inside an entity or a surrogate pair. */
export function fitEscaped(raw: string, max: number): string {
  const escaped = escapeSlack(raw);
  if (escaped.length <= max) return escaped;
  return `${safeCut(escaped, max - 1).trimEnd()}…`;
}

function safeCut(escaped: string, at: number): string {
  let cut = escaped.slice(0, at);
  cut = cut.replace(/&[a-z]*$/, '');
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

/**
 * Escapes `raw` and splits it into pieces of at most `max` characters: at paragraph breaks, then line
 * breaks, then spaces; a single word longer than `max` is cut. Empty text gives no pieces.
 */
export function chunkEscaped(raw: string, max: number): string[] {
  const escaped = escapeSlack(raw.trim());
  if (!escaped) return [];
  const out: string[] = [];
  let rest = escaped;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let at = window.lastIndexOf('\n\n');
    if (at < max / 2) at = window.lastIndexOf('\n');
    if (at < max / 2) at = window.lastIndexOf(' ');
    if (at <= 0) at = safeCut(rest, max).length || max;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) out.push(rest);
  return out.filter(Boolean);
}
