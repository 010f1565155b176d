// Issue 12's load scenario at full size (run only when named: `npm run bench load`): 10,000 digests due in the
// same minute across three Slack workspaces (installed through OAuth) and two Discord shards, two real bot
// processes on one PostgreSQL database, SIGTERM to one of them mid fan-out. Real pacing (the bot's
// DEFAULT_PACING; nothing is scaled), the fakes enforcing the platforms' published limits. Prints the drain
// time, each instance's peak memory, the max observed rate per pacing key against its limit and the 429s; exits
// non-zero when a digest is missing or doubled, or a pacing limit was passed.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PACING } from '../../src/digest/pacer.ts';
import { JITTER_MS, runLoadScenario, type LoadResult } from '../helpers/load-scenario.ts';
import { ROOT } from '../helpers/entry.ts';
import { postgresProblem } from '../storage/backends.ts';
import { row } from './stats.ts';

export const onlyWhenNamed = true;

const N = Number(process.env.LOAD_SUBSCRIPTIONS ?? 10_000);

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function report(r: LoadResult, load: number[]): string[] {
  const pacing = `Slack ${DEFAULT_PACING.slack!.perChannelMs} ms per channel and ${DEFAULT_PACING.slack!.perWorkspaceMs} ms per workspace, Discord ${DEFAULT_PACING.discord!.perChannelMs} ms per channel and ${DEFAULT_PACING.discord!.globalMs} ms between any two posts, per instance`;
  return [
    `${r.subscriptions.toLocaleString('en-US')} digests due at ${new Date(r.dueAt).toISOString()}: ${r.slack.toLocaleString('en-US')} Slack channels in ${r.workspaces.length} workspaces (installed through /slack/install), ${r.discord.toLocaleString('en-US')} Discord channels in ${r.guilds} guilds on ${r.shards} shards; 2 instances, one PostgreSQL database.`,
    `Pacing (the bot's own, unscaled): ${pacing}. The fakes enforce Slack's 1 post/s per channel, Discord's 50 requests/s and 5 messages per 5 s per channel, with 429s.`,
    `Load average ${load.map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) at the start; 2 cores shared with other work.`,
    '',
    row(['', 'figure']),
    row(['---', '---']),
    row(['first due → first post', s(r.firstPostAt - r.dueAt)]),
    row(['first due → last post (drain)', s(r.drainMs)]),
    row([
      'SIGTERM to A',
      `${s(r.sigtermAfterMs)} after due, ${r.postedAtSigterm.toLocaleString('en-US')} posted; A exited ${r.instances[0]!.exitCode}, ${r.handedBack} unstarted claims handed back, ${r.openClaimsOfStoppedInstance} left held`,
    ]),
    ...r.instances.map((i) =>
      row([
        `instance ${i.name}${i.sigterm ? ' (SIGTERM)' : ''}`,
        `${i.sent.toLocaleString('en-US')} sent, peak RSS ${mb(i.peakRssBytes)} (VmHWM), exit ${i.exitCode}`,
      ]),
    ),
    row([
      'exactly once',
      `${r.missing.length} missing, ${r.duplicated.length} doubled, ${r.discordRepeatedRequests} Discord requests repeated, ${r.wrongWorkspace} with another workspace's token; claims ${JSON.stringify(r.claimStatuses)}`,
    ]),
    row([
      '429s from the fakes',
      `Slack ${r.http429.slack}, Discord ${r.http429.discord} (global ${r.http429.discordGlobal}); ${r.retriedRateLimited} retried by the bot as rate limited`,
    ]),
    '',
    `Max posts on one pacing key in any 1 s and 5 s window (arrival at the fake), per instance and both together; the pacing is checked on 5 s with ${JITTER_MS} ms of slot-to-arrival jitter allowed, the platforms' limits on 1 s:`,
    '',
    row([
      'key',
      'keys',
      'scope',
      'max in 1 s',
      'max in 5 s',
      'paced in 5 s (one instance)',
      `allowed in 5 s`,
      'platform limit per s',
      'mean rate (busiest key)',
      'shortest gap',
    ]),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---']),
    ...r.rates.map((x) =>
      row([
        x.key,
        x.keys.toLocaleString('en-US'),
        x.scope,
        x.maxIn1s,
        x.maxIn5s,
        x.scope === 'both' ? '–' : (x.paced5s ?? '–'),
        x.scope === 'both' ? '–' : (x.allowed5s ?? '–'),
        x.platformLimit1s ?? (x.key === 'slack:workspace' ? 'none published ("several hundred per minute")' : '–'),
        `${x.meanPerSecond.toFixed(1)}/s`,
        x.minGapMs === null ? '–' : `${Math.round(x.minGapMs)} ms`,
      ]),
    ),
    '',
    r.violations.length
      ? `VIOLATIONS:\n${r.violations.map((v) => `  - ${v}`).join('\n')}`
      : 'No violation: every subscription got exactly one digest, within every pacing limit.',
  ];
}

export default async function loadBench(): Promise<void> {
  const problem = await postgresProblem();
  if (problem) throw new Error(`the load bench needs PostgreSQL (TEST_DATABASE_URL): ${problem}`);
  // The instances run dist/, as `npm start` does: compiled first when a source is newer.
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
  const load = loadavg();
  const started = Date.now();
  const r = await runLoadScenario({
    subscriptions: N,
    due: 'next-minute',
    sigtermAt: 0.3,
    drainTimeoutMs: 30 * 60_000,
    progress: (line) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });
  process.stdout.write(`\n${report(r, load).join('\n')}\n\n(whole run ${s(Date.now() - started)})\n`);
  if (r.violations.length) process.exitCode = 1;
}
