import { type DateParseError, formatPeriod, longDate } from '../knowledge/dates.ts';
import { t, type MessageParams } from './i18n.ts';
import { quote } from './sanitize.ts';

/** A catalog message by id, filled in the reader's language when it is shown. */
export interface Message {
  key: string;
  params?: MessageParams;
}

type Text = string | Message;

function inLanguage(text: Text, lang: string): string {
  return typeof text === 'string' ? text : t(lang, text.key, text.params);
}

/**
 * A mistake the user can fix (bad date, unknown country, missing option). Its message is shown
 * as is; anything that is not a UserError is a bug, logged with an id. A catalog message (key and
 * params) is written in the reader's language; plain text (answer commands not yet translated) as it is.
 */
export class UserError extends Error {
  private readonly text: Text;
  private readonly hintText?: Text;
  /** The option the mistake is in, when it is one: a form shows it at that field. */
  readonly field?: string;

  constructor(message: Text, hint?: Text, field?: string) {
    super(inLanguage(message, 'en'));
    this.name = 'UserError';
    this.text = message;
    this.hintText = hint;
    if (field) this.field = field;
  }

  /** The English hint (logs, tests written before the catalogs). */
  get hint(): string | undefined {
    return this.hintText === undefined ? undefined : inLanguage(this.hintText, 'en');
  }

  messageIn(lang: string): string {
    return inLanguage(this.text, lang);
  }

  hintIn(lang: string): string | undefined {
    return this.hintText === undefined ? undefined : inLanguage(this.hintText, lang);
  }
}

/** The caller lacks a permission the command needs. Nothing is changed. */
export class PermissionError extends UserError {
  constructor(message: Text) {
    super(message);
    this.name = 'PermissionError';
  }
}

/** What is wrong with a date, in `lang`: not a date, not a real day, or still to come. */
export function describeDateError(err: DateParseError, lang: string): string {
  return err.problem === 'future' && err.period
    ? t(lang, 'error.date.future', { period: formatPeriod(err.period.start, err.period.end, lang) })
    : err.problem === 'ambiguous' && err.readings
      ? t(lang, 'error.date.ambiguous', {
          text: quote(err.input, 40),
          first: longDate(err.readings[0], lang),
          second: longDate(err.readings[1], lang),
        })
      : t(lang, err.problem === 'invalid' ? 'error.date.invalid' : 'error.date.unreadable', { text: quote(err.input, 40) });
}
