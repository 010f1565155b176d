import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIStringSelectComponent,
  type APIEmbed,
  type APIEmbedField,
  type APIModalInteractionResponseCallbackData,
} from 'discord.js';
import { longDate } from '../../knowledge/dates.ts';
import { citationsShown, moreSources, shownTitle } from '../../core/citations-shown.ts';
import { FALLBACK_LANG, t } from '../../core/i18n.ts';
import type { FormCapabilities } from '../../core/command.ts';
import { encodeAction, encodeForm, type Citation, type Reply, type ReplyAction, type ReplyForm } from '../../core/reply.ts';

/** Discord's message limits (characters), as documented for bots. */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  /** Title, description, field names and values, footer and author of all embeds together. */
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
} as const;

export type DiscordLimits = typeof DISCORD_LIMITS;

/** Nothing the bot sends may ping: no @everyone, no roles, no users, not even a replied-to user. */
export const NO_MENTIONS = Object.freeze({ parse: [] as [] });

/** A Reply as a Discord message body (API shape: snake_case, ready for REST or discord.js). */
export interface DiscordMessage {
  embeds: APIEmbed[];
  /** The reply's buttons and selects (its actions), in action rows. */
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  /** 64 (ephemeral) for help and errors; only meaningful for interaction responses. */
  flags?: number;
  allowed_mentions: { parse: [] };
  /** The files sent with the message, by their `files[id]` part (see withAttachments). */
  attachments?: { id: number; filename: string; description: string }[];
}

export interface RenderedReply {
  message: DiscordMessage;
  /** List entries (reply.items) left out to stay within the limits; the message says so. */
  omittedItems: number;
  /** Citations left out of the sources field; the message says so. */
  omittedCitations: number;
}

const COLORS = {
  answer: 0xe05206, // Niger orange
  unanswered: 0x99aab5,
  help: 0x5865f2,
  error: 0xed4245,
  admin: 0x57f287,
} as const;

/** Characters kept free for the "…N more not shown" line while the body and list are placed. */
const TRIM_RESERVE = 160;
/** Longest single list entry; longer ones are cut so one entry cannot crowd out the rest. */
const MAX_ITEM = 1000;
/** At most this many "Sources" fields (the rest is counted in a "…and N more" line). */
const MAX_SOURCE_FIELDS = 3;
const MAX_NOTE_FIELDS = 2;
/** Characters the sources may always take (the first few), and the body at least. */
const MIN_SOURCES = 1200;
const MIN_BODY = 600;
const MAX_CITATION_TITLE = 90;

/**
 * Renders a Reply as embeds within Discord's limits: the title, the answer, fields, the list entries,
 * notes, a "Sources" field with links where there is a URL, and a footer with the as-of date.
 *
 * Every text taken from the Reply is escaped for Discord markdown (bold, italics, headings, lists, masked
 * links, quotes, spoilers) and mention syntax (`<@…>`, `<#…>`, `@everyone`), so user text echoed in an answer
 * renders literally; inline code spans written by commands (`help`) are kept. Long lists continue in further
 * embeds (up to 10, 6,000 characters in all) and are then trimmed with a note — an answer is never rejected.
 */
export function renderReply(reply: Reply, limits: DiscordLimits = DISCORD_LIMITS): RenderedReply {
  const color =
    reply.kind === 'error'
      ? COLORS.error
      : reply.kind === 'help'
        ? COLORS.help
        : reply.kind === 'admin'
          ? COLORS.admin
          : reply.answered
            ? COLORS.answer
            : COLORS.unanswered;
  const lang = reply.lang ?? FALLBACK_LANG;
  const title = esc(reply.title.trim() || 'Niger Watch', limits.title);
  const footer = fitText(footerText(reply), limits.footer);

  // What must be shown is budgeted first: title and footer, notes, fields; then the sources get what the
  // body and list leave (at least enough for the first few), and the body and list fill the rest.
  let budget = limits.embedTotal - title.length - footer.length - TRIM_RESERVE;
  const notes = packFields(
    reply.notes.map((n) => `⚠️ ${esc(n, limits.fieldValue)}`),
    t(lang, 'render.notes', { count: reply.notes.length }),
    MAX_NOTE_FIELDS,
    Math.min(limits.fieldValue * MAX_NOTE_FIELDS, budget - 2500),
    limits,
    (n) => t(lang, 'render.moreNotes', { count: n }),
  );
  budget -= fieldsSize(notes.fields);
  const fullBody = esc(reply.body.trim(), limits.description + 1);
  const lines = reply.items.map(itemLine);
  const wanted = Math.min(fullBody.length, limits.description) + lines.reduce((n, l) => n + l.length + 1, 0);
  const fieldRoom = limits.fields - notes.fields.length - MAX_SOURCE_FIELDS;
  const fields: APIEmbedField[] = [];
  for (const f of reply.fields) {
    if (fields.length >= fieldRoom) break;
    const field: APIEmbedField = { name: esc(f.name, limits.fieldName) || '—', value: esc(f.value, limits.fieldValue) || '—' };
    if (f.inline) field.inline = true;
    if (budget - fieldSize(field) < MIN_SOURCES + MIN_BODY) break;
    fields.push(field);
    budget -= fieldSize(field);
  }
  // The first few sources (see citationsShown); the rest, and any the budget leaves out, are counted.
  const cited = citationsShown(reply.citations);
  const sources = packFields(
    cited.shown.map((c) => citationLine(c, lang)),
    t(lang, 'render.sources'),
    MAX_SOURCE_FIELDS,
    Math.min(limits.fieldValue * MAX_SOURCE_FIELDS, Math.max(MIN_SOURCES, budget - wanted), budget - MIN_BODY),
    limits,
    (n) => escapePlain(moreSources(n, lang)),
    cited.more,
  );
  budget -= fieldsSize(sources.fields);

  const body = fitText(fullBody, Math.max(0, Math.min(limits.description, budget)));
  budget -= body.length;
  const bodyCut = body.length < fullBody.length;

  // List entries fill the first embed's description after the body, then continuation embeds.
  const descriptions: string[] = [body];
  let placed = 0;
  for (const line of lines) {
    const current = descriptions[descriptions.length - 1]!;
    const sep = current ? (placed === 0 && descriptions.length === 1 ? '\n\n' : '\n') : '';
    if (current.length + sep.length + line.length <= limits.description && sep.length + line.length <= budget) {
      descriptions[descriptions.length - 1] = current + sep + line;
      budget -= sep.length + line.length;
    } else if (descriptions.length < limits.embeds && line.length <= budget && line.length <= limits.description) {
      descriptions.push(line);
      budget -= line.length;
    } else {
      break;
    }
    placed += 1;
  }
  const omittedItems = lines.length - placed;
  if (omittedItems > 0 || bodyCut) {
    const what = omittedItems > 0 ? t(lang, 'render.notShown.items', { count: omittedItems }) : t(lang, 'render.notShown.rest.lower');
    const note = `*${t(lang, 'render.notShown.discord', { what })}*`;
    const last = descriptions[descriptions.length - 1]!;
    if (last.length + note.length + 1 <= limits.description) descriptions[descriptions.length - 1] = last ? `${last}\n${note}` : note;
    else if (descriptions.length < limits.embeds) descriptions.push(note);
  }

  const embeds: APIEmbed[] = descriptions.map((d) => {
    const embed: APIEmbed = {};
    if (d) embed.description = d;
    embed.color = color;
    return embed;
  });
  const first = embeds[0]!;
  const last = embeds[embeds.length - 1]!;
  first.title = title;
  if (fields.length) first.fields = fields;
  const trailing = notes.fields.concat(sources.fields);
  if (trailing.length) last.fields = last.fields ? last.fields.concat(trailing) : trailing;
  last.footer = { text: footer };

  const message: DiscordMessage = { embeds, allowed_mentions: { parse: [] } };
  if (reply.visibility === 'ephemeral') message.flags = MessageFlags.Ephemeral;
  const components = actionRows(reply.actions ?? [], lang);
  if (components.length) message.components = components;
  return { message, omittedItems, omittedCitations: sources.omitted };
}

/** An attachment's `description` (its alt text): at most 1,024 characters. */
const MAX_ATTACHMENT_DESCRIPTION = 1024;

/** A file as discord.js's REST client uploads it (`files[n]`). */
export interface DiscordFile {
  name: string;
  data: Buffer;
  contentType: string;
  /** The alt text, sent as the attachment's `description`. */
  description: string;
}

/**
 * A rendered message with the reply's chart: the file to upload, named in `attachments` with its alt text, and shown
 * in the first embed (`attachment://name`, Discord's way of pointing an embed at a file of the same message). A reply
 * without files is returned as it is. Kept apart from renderReply: a message that names a file must be sent with it.
 */
export function withAttachments(message: DiscordMessage, reply: Reply): { message: DiscordMessage; files: DiscordFile[] } {
  const attached = (reply.attachments ?? []).filter((a) => a.mime === 'image/png').slice(0, 10);
  if (attached.length === 0) return { message, files: [] };
  const files = attached.map((a) => ({
    name: a.name,
    data: Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength),
    contentType: a.mime,
    description: fitText(a.alt, MAX_ATTACHMENT_DESCRIPTION),
  }));
  const [first, ...rest] = message.embeds;
  const embeds = first ? [{ ...first, image: { url: `attachment://${files[0]!.name}` } }, ...rest] : rest;
  return {
    message: { ...message, embeds, attachments: files.map((f, id) => ({ id, filename: f.name, description: f.description })) },
    files,
  };
}

/** Discord's component limits: 5 rows of 5 buttons, labels of 80 characters, custom ids of 100; a select fills a row. */
const BUTTONS_PER_ROW = 5;
const MAX_ROWS = 5;
const MAX_CUSTOM_ID = 100;
/** A select: up to 25 options, labels and values of 100 characters, a placeholder of 150. */
const MAX_SELECT_OPTIONS = 25;

const BUTTON_STYLES = { primary: ButtonStyle.Primary, danger: ButtonStyle.Danger } as const;

type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

/**
 * A reply's actions as components: buttons (type 2) carrying their action (encodeAction) as the custom_id, which the
 * core decodes when pressed; the main source as a link button; As of… as a string select (type 3) of the months
 * that have figures, each the last day with one, in a row of its own. An action too long for a custom_id is left out
 * rather than cut (a cut one would decode to nothing); a picker with no days to offer is left out too.
 */
function actionRows(actions: ReplyAction[], lang: string): Row[] {
  const selects: Row[] = [];
  const buttons: APIButtonComponent[] = [];
  for (const a of actions) {
    if (a.url) {
      const url = safeUrl(a.url);
      if (url) buttons.push({ type: ComponentType.Button, style: ButtonStyle.Link, label: fitText(a.label, 80), url });
      continue;
    }
    const id = encodeAction(a);
    if (id.length > MAX_CUSTOM_ID) continue;
    if (a.picker) {
      const choices = a.picker.choices.slice(-MAX_SELECT_OPTIONS);
      if (choices.length === 0) continue;
      const select: APIStringSelectComponent = {
        type: ComponentType.StringSelect,
        custom_id: id,
        placeholder: fitText(t(lang, 'actions.pickMonth'), 150),
        options: choices.map((day) => ({
          label: fitText(longDate(day.slice(0, 7), lang), 100),
          value: day,
          ...(a.picker?.initial?.slice(0, 7) === day.slice(0, 7) ? { default: true } : {}),
        })),
      };
      selects.push({ type: ComponentType.ActionRow, components: [select] });
      continue;
    }
    buttons.push({ type: ComponentType.Button, custom_id: id, label: fitText(a.label, 80), style: a.style ? BUTTON_STYLES[a.style] : ButtonStyle.Secondary });
  }
  const rows: Row[] = selects.slice(0, MAX_ROWS);
  for (let i = 0; i < buttons.length && rows.length < MAX_ROWS; i += BUTTONS_PER_ROW) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + BUTTONS_PER_ROW) });
  }
  return rows;
}

/** Discord's modals: 5 inputs, a title and labels of 45 characters, placeholders of 100, values up to 4,000. */
export const DISCORD_FORMS: FormCapabilities = { maxFields: 5, maxLabel: 45, maxPlaceholder: 100, maxTitle: 45 };

/**
 * A form as a Discord modal (interaction response type 9): one text input per field, the field's name as its
 * custom_id; the form's state (encodeForm) as the modal's custom_id. Undefined when the form cannot be one (more than
 * five fields, or a state longer than a custom_id).
 */
export function renderModal(form: ReplyForm): APIModalInteractionResponseCallbackData | undefined {
  const id = encodeForm(form);
  if (id.length > MAX_CUSTOM_ID || form.fields.length === 0 || form.fields.length > DISCORD_FORMS.maxFields) return undefined;
  return {
    custom_id: id,
    title: fitText(form.title, DISCORD_FORMS.maxTitle),
    components: form.fields.map((f) => ({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.TextInput,
          custom_id: f.name,
          label: fitText(f.label, DISCORD_FORMS.maxLabel),
          style: f.multiline ? TextInputStyle.Paragraph : TextInputStyle.Short,
          required: f.required,
          max_length: Math.min(f.maxLength, 4000),
          ...(f.placeholder ? { placeholder: fitText(f.placeholder, DISCORD_FORMS.maxPlaceholder) } : {}),
        },
      ],
    })),
  };
}

function footerText(reply: Reply): string {
  const lang = reply.lang ?? FALLBACK_LANG;
  let text = reply.asOf ? `${t(lang, 'render.asOf', { date: longDate(reply.asOf, lang) })} · ` : '';
  if (reply.errorId) text += `${t(lang, 'render.errorId', { errorId: reply.errorId })} · `;
  return `${text}Niger Watch`;
}

function itemLine(item: string): string {
  // Indented entries (help's option lines) are sub-entries of the one before.
  const sub = /^\s+/.test(item);
  return fitText(`${sub ? '\u2003◦' : '•'} ${esc(item.trim(), MAX_ITEM)}`, MAX_ITEM);
}

/**
 * "[Publisher — Title](url) · 1 September 2023": the link only for an http(s) URL Discord will accept; a
 * placeholder title ("[report on …, title not recorded]") is left out, leaving "[Publisher](url) · date".
 */
export function citationLine(c: Citation, lang: string = FALLBACK_LANG): string {
  const title = shownTitle(c);
  const label = title === null ? c.publisher : `${c.publisher} — ${title.length > MAX_CITATION_TITLE ? `${title.slice(0, MAX_CITATION_TITLE - 1)}…` : title}`;
  const text = linkLabel(label);
  const url = c.url ? safeUrl(c.url) : null;
  return `${url ? `[${text}](${url})` : text} · ${discordDate(c.published, lang)}`;
}

/**
 * A day as Discord shows dates in the reader's own language and time zone (`<t:UNIX:D>`, at noon UTC so every zone
 * from UTC−11 to UTC+11 shows the same day); a month or a year, which a timestamp cannot say, in words. Only in
 * descriptions and field values: footers and titles show the markup as it is.
 */
export function discordDate(iso: string, lang: string = FALLBACK_LANG): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return esc(longDate(iso, lang), 40);
  return `<t:${Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12) / 1000}:D>`;
}

/**
 * Text escaped to sit inside a masked link's `[…]` (or alone): every markup character gets exactly one
 * backslash — square brackets included, so the label cannot end early or hold a link of its own — with no
 * code spans or bare URLs kept (escapeText keeps those), and `://` broken so no URL in it becomes a link.
 */
function linkLabel(label: string): string {
  const escaped = escapePlain(label);
  return escaped.includes('://') ? escaped.replace(/:\/\//g, '\\://') : escaped;
}

/** A URL usable as a masked-link target, or null: http(s) only, no spaces or brackets that end the link. */
export function safeUrl(url: string): string | null {
  if (!/^https?:\/\/[^\s<>"]+$/i.test(url) || url.length > 512) return null;
  // Most URLs have no parentheses: no need to copy them.
  return url.includes('(') || url.includes(')') ? url.replace(/\(/g, '%28').replace(/\)/g, '%29') : url;
}

/** Lines packed into fields of at most the field-value limit, within a character budget. */
function packFields(
  lines: string[],
  name: string,
  maxFields: number,
  maxChars: number,
  limits: DiscordLimits,
  more: (n: number) => string,
  /** Entries left out before packing (counted in the `more` line with those that do not fit). */
  alreadyOmitted = 0,
): { fields: APIEmbedField[]; omitted: number } {
  if (lines.length === 0) return { fields: [], omitted: 0 };
  const values: string[] = [];
  let used = 0;
  let taken = 0;
  const reserve = more(lines.length + alreadyOmitted).length + 1;
  for (const raw of lines) {
    const line = fitText(raw, limits.fieldValue - reserve);
    const last = values[values.length - 1];
    const room = maxChars - used - (taken < lines.length - 1 || alreadyOmitted > 0 ? reserve : 0);
    if (last !== undefined && last.length + 1 + line.length <= limits.fieldValue - reserve && line.length + 1 <= room) {
      values[values.length - 1] = `${last}\n${line}`;
      used += line.length + 1;
    } else if (values.length < maxFields && line.length + name.length <= room) {
      values.push(line);
      used += line.length + name.length;
    } else {
      break;
    }
    taken += 1;
  }
  const omitted = lines.length - taken + alreadyOmitted;
  if (omitted > 0) {
    if (values.length === 0) values.push(more(omitted));
    else values[values.length - 1] = `${values[values.length - 1]}\n${more(omitted)}`;
  }
  return { fields: values.map((value, i) => ({ name: i === 0 ? name : `${name} (continued)`, value })), omitted };
}

function fieldSize(f: APIEmbedField): number {
  return f.name.length + f.value.length;
}

function fieldsSize(fs: APIEmbedField[]): number {
  return fs.reduce((n, f) => n + fieldSize(f), 0);
}

/**
 * Escaped text of at most `max` characters. The input is cut first: escaping is quadratic on long runs
 * without spaces (discord.js's URL-aware lookbehinds), and nothing longer than a limit is ever shown.
 */
function esc(text: string, max: number): string {
  return fitText(escapeText(text.length > max + 1 ? text.slice(0, max + 1) : text), max);
}

/**
 * Inline code spans written as `text` (one line, no nested backticks) and bare URLs: kept as they are — Discord
 * renders no markdown inside either, and escaping a URL would break its link.
 */
const KEEP = /(`[^`\n]{1,200}`)|(https?:\/\/[^\s<>()[\]`|*~]+)/g;

/**
 * Escapes text for Discord so it renders as typed: inline markup (`* _ ~ | \``), masked links (`[`), line-start
 * markup (headings, `-#` subtext, quotes, lists) and mention syntax (`<@…>`, `<@&…>`, `<#…>`, `@everyone`,
 * `@here`). Inline code spans and bare URLs are kept. Linear in the length of the text (discord.js's
 * escapeMarkdown is quadratic on long runs without spaces).
 */
export function escapeText(text: string): string {
  if (!text.includes('`') && !text.includes('http')) return escapePlain(text);
  let out = '';
  let last = 0;
  // exec on the shared global regex rather than matchAll, which copies the regex on every call. KEEP never
  // matches empty text, and exec leaves lastIndex at 0 once it finds no more.
  KEEP.lastIndex = 0;
  for (let m = KEEP.exec(text); m !== null; m = KEEP.exec(text)) {
    out += escapePlain(text.slice(last, m.index));
    out += m[1] !== undefined ? neutraliseMentions(m[0]) : m[0];
    last = m.index + m[0].length;
  }
  return out + escapePlain(text.slice(last));
}

/** Mentions inside a kept code span: a zero-width space keeps them from being read as mentions. */
function neutraliseMentions(code: string): string {
  let out = code;
  if (out.includes('<')) out = out.replace(/<(?=[@#])/g, '<\u200b');
  if (out.includes('@')) out = out.replace(/@(everyone|here)/gi, '@\u200b$1');
  return out;
}

/** Anything escapePlain would change (most text has none, and is returned as is). */
const SPECIAL_CHAR = /[\\*_~|`[\]<@]/;
const LINE_START = /^[ \t]*(?:[#>+-]|\d+\.)/;
const ANY_LINE_START = /^[ \t]*(?:[#>+-]|\d+\.)/m;

const INLINE_MARKUP = /[\\*_~|`[\]]/;
const EVERY_INLINE_MARKUP = new RegExp(INLINE_MARKUP.source, 'g');

/** Whether `^` in a multiline regex can match anywhere but the start: JavaScript's four line terminators. */
function hasLineBreak(text: string): boolean {
  return text.includes('\n') || text.includes('\r') || text.includes('\u2028') || text.includes('\u2029');
}

/**
 * `text` with a backslash before every match of `marks` (a global regex of single characters): what
 * `text.replace(marks, '\\$&')` gives, about twice as fast on the short texts rendered here.
 */
function backslashBefore(text: string, marks: RegExp): string {
  let out = '';
  let last = 0;
  marks.lastIndex = 0;
  for (let m = marks.exec(text); m !== null; m = marks.exec(text)) {
    out += `${text.slice(last, m.index)}\\`;
    last = m.index;
  }
  return out + text.slice(last);
}

function escapePlain(text: string): string {
  if (!text) return text;
  if (!SPECIAL_CHAR.test(text) && !(text.includes('\n') ? ANY_LINE_START : LINE_START).test(text)) return text;
  // Four rewrites, in this order. Text that needs one usually needs only that one, so each runs only when it
  // has something to change (a replace that matches nothing returns its input, so the result is the same).
  let out = text;
  if (INLINE_MARKUP.test(out)) out = backslashBefore(out, EVERY_INLINE_MARKUP);
  // Headings, "-#" subtext, block quotes and list markers at the start of a line. (Without a line break only
  // the start of the text can be one, and the anchored test is much cheaper than the multiline one.)
  if ((hasLineBreak(out) ? ANY_LINE_START : LINE_START).test(out)) {
    out = out.replace(/^([ \t]*)(#|>|-|\+|\d+\.)/gm, (_, space: string, mark: string) =>
      mark.endsWith('.') ? `${space}${mark.slice(0, -1)}\\.` : `${space}\\${mark}`,
    );
  }
  // `<@123>`, `<@&123>`, `<#123>`, `</cmd:1>`, `<t:…>`, custom emoji: a backslash shows them as typed.
  if (out.includes('<')) out = out.replace(/<(?=[@#/:]|a:|t:|id:)/g, '\\<');
  // @everyone / @here render (and in content could ping): a zero-width space breaks them.
  if (out.includes('@')) out = out.replace(/@(everyone|here)/gi, '@\u200b$1');
  return out;
}

/**
 * Cuts text to `max` characters (UTF-16 units, never more than Discord counts) with an ellipsis, without
 * splitting a surrogate pair or leaving a dangling escape backslash.
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (trailing % 2 === 1) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** The characters Discord counts against the 6,000 limit for these embeds. */
export function embedsSize(embeds: APIEmbed[]): number {
  return embeds.reduce(
    (n, e) =>
      n +
      (e.title?.length ?? 0) +
      (e.description?.length ?? 0) +
      (e.footer?.text.length ?? 0) +
      (e.author?.name.length ?? 0) +
      (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0),
    0,
  );
}
