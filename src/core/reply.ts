import { longDate } from '../knowledge/dates.ts';
import type { Citation } from '../knowledge/kb.ts';

export type { Citation };

/**
 * The structured answer, for scripts (`--json`): what the text says, without the wording.
 * Dates are ISO text as the knowledge base holds them (day, month or year).
 */
export type Fact =
  | { type: 'troops'; country: string; count: number; approximate: boolean; asOf: string }
  | { type: 'office'; office: string; holder: string; title: string; since: string | null; until: string | null }
  | { type: 'event'; event: string; title: string; date: string }
  | { type: 'statement'; statement: string; speaker: string; date: string; quote: string }
  | { type: 'person'; person: string; name: string; role: string }
  | { type: 'organisation'; organisation: string; name: string }
  | { type: 'place'; place: string; name: string }
  | { type: 'comparison'; earlier: string; later: string; answer: 'yes' | 'no' | null }
  | { type: 'yesno'; answer: 'yes' | 'no' };

export interface ReplyField {
  name: string;
  value: string;
  inline?: boolean;
}

/**
 * A file shown with an answer (a chart). Adapters that can show it upload it with its alt text; the reply's text
 * says everything the file shows, so an adapter that cannot show files loses nothing.
 */
export interface ReplyAttachment {
  /** A file name without a path: `troops-france.png`. */
  name: string;
  mime: 'image/png';
  bytes: Uint8Array;
  /** What the image shows, in words (screen readers, platforms that show no image). */
  alt: string;
  /** Shown under the image: what it is and its sources. */
  caption?: string;
}

/**
 * A button under a reply. Pressing it runs `command` with `options` as the person who pressed it, through the same
 * preconditions and validation as typing it; nothing in the button grants a permission.
 */
export interface ReplyAction {
  label: string;
  style?: 'primary' | 'danger';
  /** A command path ("approve", "propose troops"). */
  command: string;
  options: Record<string, string>;
  /** Ask for the command's other options in its form first (a reason to reject). */
  form?: boolean;
  /** A successful answer replaces the message the button was on (its outcome); an error goes to the presser alone. */
  replaces?: boolean;
  /**
   * What pressing it does with the command's answer (absent: `run`, show it). `sources`: its citations, all of
   * them, to the presser; `share`: the answer posted in the channel; `helpful` / `notHelpful`: feedback on it.
   */
  kind?: AnswerActionKind;
  /**
   * A date to pick instead of a button (As of…): the picked day becomes option `option` before the command runs.
   * `initial` is the day shown first; `choices` the days a platform without a date picker offers (newest last).
   */
  picker?: { option: string; initial: string | null; choices: string[] };
  /** A link to open instead of a command to run (the answer's main source). */
  url?: string;
}

export type AnswerActionKind = 'run' | 'sources' | 'share' | 'helpful' | 'notHelpful';
const ACTION_KINDS: readonly AnswerActionKind[] = ['run', 'sources', 'share', 'helpful', 'notHelpful'];

/** What produced an answer: the command and its options, which a button runs again (As of…, History, Sources). */
export interface Rerun {
  command: string;
  options: Record<string, string>;
}

/** One input of a form: a command option, or several joined (see FormCombination in command.ts). */
export interface FormField {
  name: string;
  label: string;
  /** A hint inside the empty input. */
  placeholder: string;
  required: boolean;
  multiline: boolean;
  maxLength: number;
}

/** A command's options as a form (Slack modal, Discord modal); each adapter renders it, the core validates it. */
export interface ReplyForm {
  command: string;
  title: string;
  submitLabel: string;
  fields: FormField[];
  /** Options already chosen (the proposal a Reject button is for): submitted with the fields. */
  fixed: Record<string, string>;
  /** The answer to the submission replaces the message the form was opened from. */
  replaces?: boolean;
}

/**
 * What every command returns. It carries no markup: each adapter renders and escapes it for its
 * platform (Block Kit, embeds, terminal text), so no command knows where it is shown.
 */
export interface Reply {
  /** The command that produced the answer (for `ask`: the command it routed to). */
  command: string;
  kind: 'answer' | 'help' | 'error' | 'admin';
  title: string;
  /** Plain text; paragraphs separated by blank lines. */
  body: string;
  fields: ReplyField[];
  /** List entries (timeline events, history rows) that adapters may split or trim to fit. */
  items: string[];
  /** Caveats shown with the answer: disagreeing sources, old information. */
  notes: string[];
  citations: Citation[];
  /**
   * The knowledge entries ("kind/entry id") the answer states as current: posted in a channel, a later correction
   * of one is threaded under it.
   */
  entries?: string[];
  /** The structured answer (see Fact); empty for help, errors and admin replies. */
  facts: Fact[];
  /** The date (ISO yyyy-mm-dd) the answer holds for, or null when it is not about a date. */
  asOf: string | null;
  visibility: 'public' | 'ephemeral';
  /** False when the bot declines or does not know. */
  answered: boolean;
  /** Files shown with the answer (a chart); none when absent. */
  attachments?: ReplyAttachment[];
  /** Set on internal errors so a user can quote it and we can find the log line. */
  errorId?: string;
  /**
   * The language the reply is written in (a catalog language, see src/core/i18n.ts): adapters write their
   * labels ("Sources", "As of") and dates in it. The core sets it on every reply it returns.
   */
  lang?: string;
  /** Buttons under the reply (see ReplyAction). */
  actions?: ReplyAction[];
  /** A list shown a page at a time (a long timeline): which page this is of how many (its `page` option turns them). */
  pages?: { page: number; count: number };
  /** For an answer: the command and options that produced it (see Rerun); the core sets it. */
  rerun?: Rerun;
  /** Instead of a message: a form to open for the caller (on platforms with forms, see Caller.forms). */
  form?: ReplyForm;
  /** A message for others, posted by the adapter besides the reply: a new proposal for the editors to review. */
  notify?: { audience: 'editors'; reply: Reply };
  /** For an error: the option it is about, when it is one (a form shows the error at that field). */
  errorField?: string;
}

/**
 * An action as adapters carry it in a button (Discord custom_id: at most 100 characters; Slack value), and back.
 * Decoding is strict: anything else is no action.
 */
export type EncodedAction = Pick<ReplyAction, 'command' | 'options' | 'form' | 'replaces' | 'kind'> & { pick?: string };

/** `pick`: the option a picked date goes to (a picker's action). Older encodings (four elements) still decode. */
export function encodeAction(a: Pick<ReplyAction, 'command' | 'options' | 'form' | 'replaces' | 'kind' | 'picker'>): string {
  const base: unknown[] = [a.command, a.options, a.form ? 1 : 0, a.replaces ? 1 : 0];
  if ((a.kind && a.kind !== 'run') || a.picker) base.push(a.kind ?? 'run');
  if (a.picker) base.push(a.picker.option);
  return `a${JSON.stringify(base)}`;
}

export function decodeAction(text: unknown): EncodedAction | undefined {
  if (typeof text !== 'string' || !text.startsWith('a[') || text.length > 2000) return undefined;
  try {
    const [command, options, form, replaces, kind, pick] = JSON.parse(text.slice(1)) as unknown[];
    if (typeof command !== 'string' || !options || typeof options !== 'object' || Array.isArray(options)) return undefined;
    if (kind !== undefined && !ACTION_KINDS.includes(kind as AnswerActionKind)) return undefined;
    if (pick !== undefined && typeof pick !== 'string') return undefined;
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(options)) if (typeof v === 'string') clean[k] = v;
    return {
      command,
      options: clean,
      form: form === 1,
      replaces: replaces === 1,
      ...(kind && kind !== 'run' ? { kind: kind as AnswerActionKind } : {}),
      ...(pick ? { pick } : {}),
    };
  } catch {
    return undefined;
  }
}

/** What a form carries to its submission (Slack private_metadata, Discord modal custom_id), and back. */
export function encodeForm(f: Pick<ReplyForm, 'command' | 'fixed' | 'replaces'>): string {
  return `f${JSON.stringify([f.command, f.fixed, f.replaces ? 1 : 0])}`;
}

export function decodeForm(text: unknown): Pick<ReplyForm, 'command' | 'fixed' | 'replaces'> | undefined {
  if (typeof text !== 'string' || !text.startsWith('f[') || text.length > 3000) return undefined;
  try {
    const [command, fixed, replaces] = JSON.parse(text.slice(1)) as unknown[];
    if (typeof command !== 'string' || !fixed || typeof fixed !== 'object' || Array.isArray(fixed)) return undefined;
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(fixed)) if (typeof v === 'string') clean[k] = v;
    return { command, fixed: clean, replaces: replaces === 1 };
  } catch {
    return undefined;
  }
}

/** ISO days in text ("sworn in on 2021-04-02") in the long style answers use ("2 April 2021"), in `lang`. */
export function longDays(text: string, lang = 'en'): string {
  return text.includes('-') ? text.replace(/\b\d{4}-\d{2}-\d{2}\b/g, (day) => longDate(day, lang)) : text;
}

/**
 * A Reply with the defaults filled in. Answers keep one date style: ISO days that reach their text from the
 * data ("sworn in on 2021-04-02") are written as the body writes dates ("2 April 2021").
 */
export function reply(partial: Partial<Reply> & Pick<Reply, 'command' | 'title'>): Reply {
  if ((partial.kind ?? 'answer') === 'answer') {
    const lang = partial.lang;
    partial = {
      ...partial,
      body: longDays(partial.body ?? '', lang),
      ...(partial.items ? { items: partial.items.map((i) => longDays(i, lang)) } : {}),
      ...(partial.notes ? { notes: partial.notes.map((n) => longDays(n, lang)) } : {}),
      ...(partial.fields ? { fields: partial.fields.map((f) => ({ ...f, value: longDays(f.value, lang) })) } : {}),
    };
  }
  return {
    kind: 'answer',
    body: '',
    fields: [],
    items: [],
    notes: [],
    citations: [],
    facts: [],
    asOf: null,
    visibility: 'public',
    answered: true,
    ...partial,
  };
}

/**
 * Wraps an adapter's renderer so a shared Reply (frozen: one the core reuses between requests, see
 * AnswerCache) is rendered once; every other Reply is rendered each time. The rendering must not be
 * changed by whoever receives it.
 */
export function renderedOnce<T>(render: (reply: Reply) => T): (reply: Reply) => T {
  const renderings = new WeakMap<Reply, T>();
  return (reply) => {
    if (!Object.isFrozen(reply)) return render(reply);
    let out = renderings.get(reply);
    if (out === undefined) {
      out = render(reply);
      renderings.set(reply, out);
    }
    return out;
  };
}
