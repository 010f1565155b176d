import { formatLocal } from '../knowledge/dates.ts';
import type { Bot } from './bot.ts';
import type { Caller } from './command.ts';
import type { DigestChannel } from './digest-port.ts';
import { FALLBACK_LANG, catalogs, t } from './i18n.ts';
import type { Reply, ReplyAction } from './reply.ts';

/** One channel's digest on a home page: what it is, and the buttons that change it (run as the viewer). */
export interface HomeDigest {
  channel: DigestChannel;
  active: boolean;
  /** "08:00 Africa/Niamey · next: …", or why it is off. */
  line: string;
  actions: ReplyAction[];
}

/**
 * A person's home page (Slack's App Home), platform-neutral: the key figures now, the digests of the channels they
 * may manage, and for editors what waits for review. Every figure is a command's own answer; nothing is worded here
 * that a command words.
 */
export interface Home {
  lang: string;
  title: string;
  /** One answer per key figure (troops of each country now, the head of state), as the commands give them. */
  figures: Reply[];
  /** Null when the viewer may not manage digests (then `digestsNote` says so) or there is no digest store. */
  digests: HomeDigest[] | null;
  digestsNote: string;
  /** For editors: how many proposals wait, with a button to list them; absent for others. */
  review?: { line: string; actions: ReplyAction[] };
}

/** Channels listed on a home page at most (a view holds 100 blocks). */
export const HOME_MAX_CHANNELS = 20;

export async function buildHome(bot: Bot, caller: Caller): Promise<Home> {
  let tag: string | undefined;
  try {
    tag = await caller.locale?.();
  } catch {
    tag = undefined;
  }
  const lang = catalogs().resolve(tag) ?? FALLBACK_LANG;
  const figures = await Promise.all([...bot.kb.countries().map((country) => bot.run('troops', { country }, caller)), bot.run('ruler', {}, caller)]);
  const digest = bot.services.digest;
  const workspace = caller.workspaceId;
  let digests: HomeDigest[] | null = null;
  let digestsNote: string;
  if (!digest || !workspace) digestsNote = t(lang, 'digest.unavailable');
  else if (!(await caller.canManageChannel())) digestsNote = t(lang, 'home.digests.notAllowed');
  else {
    const subs = await digest.workspaceSubscriptions(caller.platform, workspace, HOME_MAX_CHANNELS).catch((err: unknown) => {
      bot.log.warn({ err, platform: caller.platform }, 'could not list the digests for a home page');
      return null;
    });
    if (!subs) return { lang, title: t(lang, 'home.title'), figures, digests: null, digestsNote: t(lang, 'home.digests.failed') };
    digests = subs.map(
      (s): HomeDigest => ({
        channel: s.channel,
        active: s.active,
        line: s.active
          ? t(lang, 'home.digest.on', {
              time: s.time,
              timeZone: s.timeZone,
              next: s.nextDueAt ? formatLocal(s.nextDueAt.getTime(), s.timeZone, lang) : t(lang, 'digest.notScheduled'),
            })
          : t(lang, 'home.digest.off', { reason: s.disabledReason ?? '' }),
        actions: [
          s.active
            ? { label: t(lang, 'home.digest.pause'), style: 'danger', command: 'digest unsubscribe', options: {} }
            : {
                label: t(lang, 'home.digest.resume'),
                style: 'primary',
                command: 'digest subscribe',
                options: { time: s.time, timezone: s.timeZone, lang: s.lang },
              },
          // The digest keeps its language whoever changes it (a subscription takes the language it is asked in).
          { label: t(lang, 'home.digest.change'), command: 'digest subscribe', options: { lang: s.lang }, form: true },
        ],
      }),
    );
    digestsNote = t(lang, digests.length ? 'home.digests.body' : 'home.digests.none');
  }
  const home: Home = { lang, title: t(lang, 'home.title'), figures, digests, digestsNote };
  const proposals = bot.services.proposals;
  if (proposals && (await caller.isEditor?.())) {
    const pending = await proposals.pending().catch((err: unknown) => {
      bot.log.warn({ err, platform: caller.platform }, 'could not count the proposals for a home page');
      return null;
    });
    if (pending)
      home.review = {
        line: t(lang, 'home.review', { count: pending.length }),
        actions: pending.length ? [{ label: t(lang, 'home.review.open'), command: 'review', options: {} }] : [],
      };
  }
  return home;
}
