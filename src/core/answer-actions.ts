import { longDate } from '../knowledge/dates.ts';
import { shownTitle } from './citations-shown.ts';
import { optionSpecs, type CommandDefinition } from './command.ts';
import { t } from './i18n.ts';
import { encodeAction, reply, type Reply, type ReplyAction, type Rerun } from './reply.ts';

/**
 * The buttons under an answer (issue 14), declared here once for every platform: each re-runs the command that
 * produced the answer (its Rerun), so a press goes through the same preconditions and validation as typing it.
 * Which ones an answer gets follows from the command's own option schema, not from a list of commands.
 */

/** A platform without a date picker offers this many days to choose from at most (Discord selects hold 25). */
export const MAX_PICKER_CHOICES = 25;

/** The option of kind `date`, when the command has one: As of… replaces it. */
export function dateOptionOf(def: CommandDefinition): string | undefined {
  return optionSpecs(def.options).find((o) => o.kind === 'date')?.name;
}

/** An option one of whose choices is `history` (troops `show:`): History sets it. */
function historyOptionOf(def: CommandDefinition): string | undefined {
  return optionSpecs(def.options).find((o) => o.choices?.includes('history'))?.name;
}

/**
 * The days a platform without a date picker offers: of the days the answer changes on (the command's
 * `asOfChoices`), the last of each month, the newest MAX_PICKER_CHOICES, oldest first.
 */
export function pickerChoices(days: readonly string[]): string[] {
  const byMonth = new Map<string, string>();
  for (const day of [...days].filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort()) byMonth.set(day.slice(0, 7), day);
  return [...byMonth.values()].slice(-MAX_PICKER_CHOICES);
}

/**
 * The actions of an answer: As of… (a date picker, for commands with a date option), History (for commands with a
 * history form), Sources (when it cites any), the main source as a link, Share in channel (for an answer only the
 * asker sees), Helpful / Not helpful. Errors, declines, help, admin replies and answers read from stored state get
 * none.
 */
export function answerActions(answer: Reply, def: CommandDefinition, rerun: Rerun, days: readonly string[], lang: string): ReplyAction[] {
  // Only answers from what the bot knows (cacheable: the options, the knowledge base and the day decide them) are run
  // again by a button; a digest preview or a revision list reads stored state and is not one to act on.
  if (answer.kind !== 'answer' || !answer.answered || !def.cacheable) return [];
  const { command, options } = rerun;
  const actions: ReplyAction[] = [];
  const dateOption = dateOptionOf(def);
  const historyOption = historyOptionOf(def);
  const showsHistory = historyOption !== undefined && options[historyOption] === 'history';
  if (dateOption && !showsHistory) {
    const { [dateOption]: _date, ...rest } = options;
    actions.push({
      label: t(lang, 'actions.asOf'),
      command,
      options: rest,
      replaces: true,
      picker: { option: dateOption, initial: answer.asOf, choices: pickerChoices(days) },
    });
  }
  if (historyOption && !showsHistory) {
    const { ...rest } = options;
    if (dateOption) delete rest[dateOption];
    actions.push({ label: t(lang, 'actions.history'), command, options: { ...rest, [historyOption]: 'history' }, replaces: true });
  }
  // A list a page at a time: Previous / Next turn its `page` option, in place.
  if (answer.pages && optionSpecs(def.options).some((o) => o.name === 'page')) {
    const { page, count } = answer.pages;
    if (page > 1) actions.push({ label: t(lang, 'actions.previous'), command, options: { ...options, page: String(page - 1) }, replaces: true });
    if (page < count) actions.push({ label: t(lang, 'actions.next'), command, options: { ...options, page: String(page + 1) }, replaces: true });
  }
  if (answer.citations.length > 0) actions.push({ label: t(lang, 'actions.sources'), command, options, kind: 'sources' });
  const main = answer.citations.find((c) => c.url)?.url;
  if (main) actions.push({ label: t(lang, 'actions.mainSource'), command, options, url: main });
  if (answer.visibility === 'ephemeral') actions.push({ label: t(lang, 'actions.share'), command, options, kind: 'share' });
  actions.push({ label: t(lang, 'actions.helpful'), command, options, kind: 'helpful' });
  actions.push({ label: t(lang, 'actions.notHelpful'), command, options, kind: 'notHelpful' });
  return actions;
}

/** The longest action a button carries on every platform (a Discord custom_id). */
const MAX_ENCODED = 100;

/**
 * An answer `ask` routed to another command, with its Helpful / Not helpful on the question as it was asked (what the
 * eval can use as a case), where the button can carry it; else they stay on the command it routed to.
 */
export function feedbackOnQuestion(answer: Reply, question: string): Reply {
  if (!answer.actions?.length) return answer;
  const options = { question, lang: answer.rerun?.options.lang ?? answer.lang ?? 'en' };
  const actions = answer.actions.map((a) => {
    if (a.kind !== 'helpful' && a.kind !== 'notHelpful') return a;
    const asked = { ...a, command: 'ask', options };
    return encodeAction(asked).length <= MAX_ENCODED ? asked : a;
  });
  return { ...answer, actions };
}

/** Every source of an answer, as a list only the presser sees (the answer itself shows the first few). */
export function sourcesReply(answer: Reply, lang: string): Reply {
  return reply({
    command: answer.command,
    lang,
    title: t(lang, 'actions.sources.title', { title: answer.title }),
    body: t(lang, 'actions.sources.body', { count: answer.citations.length }),
    items: answer.citations.map((c) => {
      const title = shownTitle(c);
      const shown = { publisher: c.publisher, date: longDate(c.published, lang), url: c.url ?? '' };
      return title === null ? t(lang, 'actions.sources.untitled', shown) : t(lang, 'actions.sources.line', { ...shown, title });
    }),
    citations: answer.citations,
    visibility: 'ephemeral',
  });
}

/** The answer as the channel sees it when its asker shares it: public, without the Share button. */
export function sharedReply(answer: Reply): Reply {
  return { ...answer, visibility: 'public', ...(answer.actions ? { actions: answer.actions.filter((a) => a.kind !== 'share') } : {}) };
}

/** The text syntax of a rerun (`troops country:France date:2023-09-05`): how feedback records the question asked. */
export function rerunText(rerun: Rerun): string {
  if (rerun.command === 'ask' && rerun.options.question) return rerun.options.question;
  const opts = Object.entries(rerun.options)
    .filter(([k]) => k !== 'lang')
    .map(([k, v]) => `${k}:${v}`);
  return [rerun.command, ...opts].join(' ');
}
