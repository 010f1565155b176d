/**
 * Text going to and coming from Slack. Slack treats `&`, `<` and `>` as control characters: `<!channel>`,
 * `<@U123>` and `<url|label>` are markup, so every piece of reply text is escaped before it is sent and
 * only the adapter's own links are left as markup. Incoming text arrives escaped the same way and is
 * decoded before the core sees it.
 */

/** Escapes the three characters Slack parses (and only those: other entities are shown literally). */
export function escapeSlack(text: string): string {
  // Most text has none of the three; three indexOf scans are several times faster than a regex test, and
  // every piece of every reply passes through here.
  if (text.indexOf('&') === -1 && text.indexOf('<') === -1 && text.indexOf('>') === -1) return text;
  return text.replace(SLACK_SPECIAL, (c) => ENTITIES[c]!);
}

const SLACK_SPECIAL = /[&<>]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Reverses {@link escapeSlack}: `&lt;` → `<`, `&gt;` → `>`, `&amp;` → `&` (in that order). */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Characters mrkdwn reads as formatting (`*bold*`, `_italic_`, `~strike~`, `` `code` ``), mapped to
 * look-alikes. Slack has no escape for them, so text that must appear literally inside mrkdwn (link labels,
 * source names in the context line) uses these instead.
 */
const FORMATTING_LOOKALIKES: Record<string, string> = {
  '*': '\u2217', // ∗ asterisk operator
  _: '\u02CD', // ˍ modifier letter low macron
  '~': '\u223C', // ∼ tilde operator
  '`': '\u02CB', // ˋ modifier letter grave accent
};

/** Text placed inside mrkdwn that must show literally: escaped, with formatting characters neutralised. */
export function mrkdwnLiteral(text: string): string {
  // One pass for both: the entities contain no formatting characters, so escaping first and then
  // replacing (as the definition reads) gives the same text.
  return MRKDWN_SPECIAL_TEST.test(text) ? text.replace(MRKDWN_SPECIAL, (c) => MRKDWN_REPLACEMENTS[c]!) : text;
}

const MRKDWN_SPECIAL = /[&<>*_~`]/g;
/** The same class without the g flag: `test` on a global regex would carry lastIndex between calls. */
const MRKDWN_SPECIAL_TEST = /[&<>*_~`]/;
const MRKDWN_REPLACEMENTS: Record<string, string> = { ...ENTITIES, ...FORMATTING_LOOKALIKES };

/** A URL Slack may link: http(s), no whitespace and none of the characters that end or split `<url|label>`. */
export function isLinkableUrl(url: string): boolean {
  return /^https?:\/\/[^\s<>|]+$/i.test(url) && url.length <= 2000;
}

/**
 * The adapter's own link markup: `<url|label>` with the label shown literally. A URL that cannot be
 * linked safely is left out and only the label is shown.
 */
export function slackLink(url: string | undefined, label: string): string {
  const shown = mrkdwnLiteral(label);
  if (!url || !isLinkableUrl(url)) return shown;
  return `<${escapeSlack(url)}|${shown}>`;
}

/**
 * Turns the text of a slash command, mention or DM into what the user typed: the bot's own mention is
 * removed, other markup becomes readable text (`<@U1|ann>` → `@ann`, `<#C1|general>` → `#general`,
 * `<!here>` → `@here`, `<https://x|x>` → `x`), and entities are decoded.
 */
export function incomingText(text: string, botUserId?: string): string {
  // Most commands are plain words: nothing to remove or decode.
  if (!text.includes('<') && !text.includes('&')) return text.trim();
  let out = text;
  if (botUserId) {
    const id = botUserId.replace(/[^A-Z0-9]/gi, '');
    out = out.replace(new RegExp(`<@${id}(\\|[^>]*)?>`, 'g'), ' ');
  }
  out = out.replace(/<([^<>]*)>/g, (_m, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    if (target.startsWith('@')) return label ? `@${label}` : target;
    if (target.startsWith('#')) return label ? `#${label}` : target;
    if (target.startsWith('!')) {
      const special = target.slice(1).split('^')[0] ?? '';
      return label ?? `@${special}`;
    }
    return label ?? target;
  });
  return unescapeSlack(out).trim();
}
