// Why `ask` declines, in the answer's language. The question reader (src/knowledge/understand.ts) gives the
// reason as an English sentence; until it gives a reason id with parameters, this table reads each of its
// sentences back into a catalog message. A sentence the table does not know is shown as is in English and
// replaced by the general decline in other languages, so no English leaks into a French or German answer.
import { t, type MessageParams } from '../src/core/i18n.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import { countryName } from './_shared.ts';

interface DeclineForm {
  pattern: RegExp;
  /** The catalog message and its parameters; null when this language cannot word it (then the general decline). */
  message: (m: RegExpExecArray, kb: KnowledgeBase, lang: string) => { key: string; params?: MessageParams } | null;
}

const fixed = (pattern: RegExp, key: string): DeclineForm => ({ pattern, message: () => ({ key }) });
const aboutCountry = (pattern: RegExp, key: string): DeclineForm => ({
  pattern,
  message: (m, kb, lang) => ({ key, params: { country: countryName(kb, m[1]!, lang) } }),
});

const FORMS: DeclineForm[] = [
  { pattern: /^The knowledge base holds no sourced facts on (.+)\.$/, message: (m) => ({ key: 'ask.decline.scope', params: { topic: m[1]! } }) },
  fixed(/^I only report what sources have said; I make no predictions\.$/, 'ask.decline.future'),
  fixed(/^I give sourced facts, not opinions\.$/, 'ask.decline.opinion'),
  { pattern: /^"(.*)" is not a real date\.$/, message: (m) => ({ key: 'error.date.invalid', params: { text: m[1]! } }) },
  { pattern: /^"(.*)" is not a date I can read\.$/, message: (m) => ({ key: 'error.date.unreadable', params: { text: m[1]! } }) },
  // The period is named in English words ("September 2027"): other languages say it without them.
  {
    pattern: /^(.+) is in the future; I only know what has been reported\.$/,
    message: (m, _kb, lang) => (lang === 'en' ? { key: 'error.date.future', params: { period: m[1]! } } : { key: 'ask.decline.futureDate' }),
  },
  fixed(/^That date is in the future; I only know what has been reported\.$/, 'ask.decline.futureDate'),
  fixed(/^The sources show that term as still running: no successor is recorded\.$/, 'ask.decline.stillRunning'),
  fixed(/^I found no event in the knowledge base to date that by, so I can’t say what held then\.$/, 'ask.decline.noAnchor'),
  fixed(/^I have sourced figures only for foreign troops in Niger\.$/, 'ask.decline.onlyTroops'),
  aboutCountry(/^I only know the office holders in this story \(Niger's, and a few French officials\), not that office in (.+)\.$/, 'ask.decline.otherOffice'),
  aboutCountry(/^I have no troop figures for (.+)\.$/, 'ask.decline.noTroopFigures'),
  aboutCountry(/^I only track foreign forces in Niger, not in (.+)\.$/, 'ask.decline.otherHost'),
  fixed(/^I have no sourced reason for that\.$/, 'ask.decline.noReason'),
  { pattern: /^I have no sourced quote from (.+) on that\.$/, message: (m) => ({ key: 'ask.decline.noQuote', params: { name: m[1]! } }) },
  fixed(/^I found no event in the knowledge base that matches that\.$/, 'ask.decline.noEvent'),
  fixed(/^I can’t confirm or deny that from my sourced knowledge base\.$/, 'ask.decline.cannotConfirm'),
  { pattern: /^I have no sourced information about “(.*)”\.$/, message: (m) => ({ key: 'ask.decline.noInformation', params: { words: m[1]! } }) },
  { pattern: /^I have no sourced answer to that about (.+)\.$/, message: (m) => ({ key: 'ask.decline.noAnswerAbout', params: { name: m[1]! } }) },
  aboutCountry(/^I only follow Niger, not (.+)\.$/, 'ask.decline.otherCountry'),
  aboutCountry(/^I only follow events in Niger, not in (.+)\.$/, 'ask.decline.otherCountryEvents'),
  fixed(/^I can’t answer that from my sourced knowledge base, and I won’t guess\.$/, 'ask.decline.default'),
];

/** The reason `ask` gives for declining, in `lang`; `english` is the question reader's sentence (absent: the general one). */
export function declineReason(kb: KnowledgeBase, english: string | undefined, lang: string): string {
  if (english === undefined) return t(lang, 'ask.decline.default');
  for (const form of FORMS) {
    const m = form.pattern.exec(english);
    if (!m) continue;
    const message = form.message(m, kb, lang);
    return message ? t(lang, message.key, message.params) : t(lang, 'ask.decline.default');
  }
  return lang === 'en' ? english : t(lang, 'ask.decline.default');
}
