import type { types } from '@slack/bolt';
import { renderText } from '../../core/render-text.ts';
import type { Citation, Reply } from '../../core/reply.ts';
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

export type SlackLimits = typeof SLACK_LIMITS;

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
  const header: Block = { type: 'header', text: plain(fitEscaped(reply.title || 'Niger Watch', limits.headerText)) };
  const { blocks: context, omitted: omittedCitations } = contextBlocks(reply, limits);

  // The budget is spent in order of importance: header, sources, caveats, fields, body, list entries.
  // Room for the "…not shown" note is kept aside from the start.
  const budget = {
    json: limits.blocksJson - size([header, ...context]) - TRIM_NOTE_RESERVE,
    blocks: limits.blocks - 1 - context.length - 1,
  };
  let cut = false;
  const take = (candidates: Block[]): Block[] => {
    const kept: Block[] = [];
    for (const b of candidates) {
      const s = size([b]);
      if (s > budget.json || budget.blocks < 1) {
        cut = true;
        break;
      }
      kept.push(b);
      budget.json -= s;
      budget.blocks -= 1;
    }
    return kept;
  };
  const notes = take(chunkEscaped(reply.notes.map((n) => `Note: ${n}`).join('\n'), limits.sectionText).map(section));
  const fields = take(fieldSections(reply, limits));
  const body = take(chunkEscaped(reply.body, limits.sectionText).map(section));

  // List entries fill what is left: the most entries whose sections still fit.
  const lines = reply.items.map((i) => fitEscaped(`• ${i}`, limits.sectionText));
  const fitsItems = (k: number) => {
    const packed = packLines(lines.slice(0, k), limits.sectionText);
    return packed.length <= budget.blocks && size(packed) <= budget.json;
  };
  let shown = lines.length;
  if (!fitsItems(shown)) {
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fitsItems(mid)) lo = mid;
      else hi = mid - 1;
    }
    shown = lo;
  }
  let items = packLines(lines.slice(0, shown), limits.sectionText);
  if (shown === 0 && reply.items.length > 0 && budget.blocks >= 1) {
    // Not even the first entry fits whole: show as much of it as fits.
    let max = Math.min(limits.sectionText, budget.json - 100);
    while (max > 100) {
      const first = [section(fitEscaped(`• ${reply.items[0]}`, max))];
      if (size(first) <= budget.json) {
        items = first;
        shown = 1;
        break;
      }
      max = Math.floor(max * 0.8);
    }
  }
  const omittedItems = lines.length - shown;

  const trimNote: Block[] = [];
  if (omittedItems > 0 || cut) {
    const what = omittedItems > 0 ? `${omittedItems} more not shown` : 'The rest of this answer is not shown';
    trimNote.push({
      type: 'context',
      elements: [plain(escapeSlack(`…${what} (Slack message limit). Use limit: or filters to narrow it down.`))],
    });
  }

  return {
    blocks: [header, ...body, ...fields, ...items, ...trimNote, ...notes, ...context],
    text: fitEscaped(renderText(reply), limits.fallbackText),
    omittedItems,
    omittedCitations,
  };
}

/** Just the message payload (`blocks` and `text`) of {@link renderReply}. */
export function renderMessage(reply: Reply, limits: SlackLimits = SLACK_LIMITS): SlackMessage {
  const { blocks, text } = renderReply(reply, limits);
  return { blocks, text };
}

/** Room kept for the "…N more not shown" note while the body is placed. */
const TRIM_NOTE_RESERVE = 260;

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

function plain(text: string): PlainText {
  return { type: 'plain_text', text, emoji: false };
}

function section(text: string): Block {
  return { type: 'section', text: plain(text) };
}

function fieldSections(reply: Reply, limits: SlackLimits): Block[] {
  const fields = reply.fields
    .filter((f) => f.name || f.value)
    .map((f) => plain(fitEscaped(f.name && f.value ? `${f.name}: ${f.value}` : f.name || f.value, limits.fieldText)));
  const out: Block[] = [];
  for (let i = 0; i < fields.length; i += limits.fieldsPerSection) {
    out.push({ type: 'section', fields: fields.slice(i, i + limits.fieldsPerSection) });
  }
  return out;
}

function citationLabel(c: Citation, limits: SlackLimits): string {
  const title = c.title.length > limits.citationTitle ? `${c.title.slice(0, limits.citationTitle - 1)}…` : c.title;
  return `${c.publisher}, “${title}”, ${c.published}`;
}

/** The context line: as-of date and sources, cut to the citation budget with "…and N more sources". */
function contextBlocks(reply: Reply, limits: SlackLimits): { blocks: Block[]; omitted: number } {
  const lines: string[] = [];
  const head = [reply.asOf ? `As of ${mrkdwnLiteral(reply.asOf)}` : '', reply.citations.length ? 'Sources:' : '']
    .filter(Boolean)
    .join(' · ');
  if (!head) return { blocks: [], omitted: 0 };
  lines.push(head);
  let omitted = 0;
  let budget = limits.citationsJson - jsonLength(head) - 120;
  reply.citations.forEach((c, i) => {
    if (omitted > 0) {
      omitted += 1;
      return;
    }
    const label = citationLabel(c, limits);
    let line = `${i + 1}. ${slackLink(c.url, label)}`;
    if (line.length > limits.contextText) line = `${i + 1}. ${mrkdwnLiteral(label.slice(0, 300))}`;
    const cost = jsonLength(line) + 2;
    if (cost > budget) {
      omitted = 1;
      return;
    }
    budget -= cost;
    lines.push(line);
  });
  if (omitted > 0) lines.push(`…and ${omitted} more source${omitted === 1 ? '' : 's'}`);
  // Pack the lines into context elements of at most contextText characters, one element per block so
  // they stack vertically.
  const blocks: Block[] = [];
  let text = '';
  for (const line of lines) {
    if (text && text.length + 1 + line.length > limits.contextText) {
      blocks.push(contextBlock(text));
      text = '';
    }
    text = text ? `${text}\n${line}` : line;
  }
  if (text) blocks.push(contextBlock(text));
  return { blocks, omitted };
}

function contextBlock(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text, verbatim: true }] };
}

function jsonLength(text: string): number {
  return JSON.stringify(text).length - 2;
}

function size(blocks: Block[]): number {
  return blocks.reduce((n, b) => n + JSON.stringify(b).length + 1, 0);
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
