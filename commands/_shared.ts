// Helpers shared by command files. The leading underscore keeps the registry from loading it as a command.
import { z } from 'zod';
import type { CommandContext } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { quote } from '../src/core/sanitize.ts';
import { DateParseError, formatDay, formatPeriod, parseDateOption, type DateQuery } from '../src/knowledge/dates.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import type { Deployment } from '../src/knowledge/schema.ts';
import type { FuzzyDate } from '../src/knowledge/schema.ts';
import { BoundedMemo } from '../src/knowledge/memo.ts';

export const dateOption = (description: string) =>
  z
    .string()
    .max(200)
    .optional()
    .describe(description)
    .meta({ kind: 'date' });

/** Resolves a date option; absent means "now" (the newest sourced fact). */
export function resolveDate(text: string | undefined, ctx: CommandContext): DateQuery {
  // Any event can be the date: "when the ambassador left", "after the Toulon speech".
  const anchored = text ? ctx.kb.questions.dateOfEvent(text, true) : null;
  try {
    return parseDateOption(anchored ?? text ?? '', ctx.now(), ctx.kb.anchorSpans);
  } catch (err) {
    const described = err instanceof DateParseError && text ? ctx.kb.questions.dateOfEvent(text, false) : null;
    if (described) return parseDateOption(described, ctx.now(), ctx.kb.anchorSpans);
    throw err;
  }
}

/** "on 27 September 2023", "in September 2023", "just before the coup (25 July 2023)": a period in a sentence. */
export function inPeriod(at: DateQuery): string {
  if (/^(just |before |after |since |\w+ (day|week|month|year)s? (before|after) )/.test(at.label)) return at.label;
  if (/^(start|end|beginning) of /.test(at.label)) return `at the ${at.label}`;
  // A named moment: "at the time of Macron's announcement (24 September 2023)", "during the withdrawal (…)".
  if (at.label.endsWith(')')) return `${at.precision === 'day' ? 'at the time of' : 'during'} ${at.label}`;
  return at.precision === 'day' ? `on ${at.label}` : `in ${at.label}`;
}

/** "Prime minister of Niger" as it reads inside a sentence; acronyms ("AES …") are left as they are. */
export function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

export function today(ctx: CommandContext): string {
  return ctx.now().toISOString().slice(0, 10);
}

/** The ISO date an answer holds for: a day, a month (yyyy-mm), or the end of a longer period. */
export function asOfFor(at: DateQuery): string {
  if (at.precision === 'month') return at.start.slice(0, 7);
  return at.start === at.end ? at.start : at.end;
}

export function describeDate(d: FuzzyDate): string {
  return d.precision === 'day' ? formatDay(d.start) : formatPeriod(d.start, d.end);
}

export function describeSpan(from: FuzzyDate, until?: FuzzyDate): string {
  if (!until) return describeDate(from);
  return formatPeriod(from.start, until.end);
}

/** The English adjective for a country's forces ("French", "US"), from countries.yaml; else the name. */
export function adjective(kb: KnowledgeBase, country: string): string {
  return kb.findCountry(country)?.adjective ?? country;
}

const COUNT_FORMAT = new Intl.NumberFormat('en-US');
const formattedCounts = new BoundedMemo<number, string>(10_000);

/**
 * n.toLocaleString('en-US'), memoised: formatting through Intl is slow and answers show the same few
 * troop figures again and again.
 */
function groupDigits(n: number): string {
  return formattedCounts.get(n, (x) => COUNT_FORMAT.format(x));
}

export function formatCount(n: number, approximate: boolean): string {
  const num = groupDigits(n);
  return approximate ? `about ${num}` : num;
}

/** "about 1,500 (another report: about 1,000)" — disagreeing sources are always shown together. */
export function describeFigure(d: Deployment, kbSourceName: (id: string) => string): string {
  const main = d.count === 0 ? 'none' : formatCount(d.count, d.approximate);
  if (d.alternatives.length === 0) return main;
  const alts = d.alternatives.map(
    (a) => `${formatCount(a.count, a.approximate)} according to ${a.sources.map(kbSourceName).join(' and ')}`,
  );
  return `${main} (sources disagree: ${alts.join('; ')})`;
}

/** "Sources disagree: Südostschweiz gives about 1,000." — empty when the sources agree. */
export function disagreement(d: Deployment, kbSourceName: (id: string) => string): string {
  if (d.alternatives.length === 0) return '';
  const alts = d.alternatives.map((a) => `${a.sources.map(kbSourceName).join(' and ')} gives ${formatCount(a.count, a.approximate)}`);
  return `Sources disagree: ${alts.join('; ')}.`;
}

export function requireCountry(text: string | undefined, ctx: CommandContext): string {
  const value = text?.trim() || 'France';
  const country = ctx.kb.resolveCountry(value);
  if (!country) {
    throw new UserError(
      `I have no troop figures for "${quote(value, 40)}" in Niger.`,
      `I know figures for: ${ctx.kb.countries().join(', ')}.`,
    );
  }
  return country;
}
