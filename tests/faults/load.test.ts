/**
 * Issue 12's load scenario, CI-sized (the full 10,000 is `npm run bench load`): two real bot processes on one
 * PostgreSQL database, three Slack workspaces installed through OAuth and two Discord shards with guilds on
 * both, every subscription due at the same instant, SIGTERM to one instance mid fan-out. Each subscription
 * must get exactly one digest, posted with its workspace's token and recorded on its claim, no instance may go
 * past its pacing nor both together past a platform's limit, and the stopped instance must leave nothing held.
 * No wall-clock assertions: the timeouts are generous bounds, the figures are printed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runLoadScenario, stopLoadScenarios } from '../helpers/load-scenario.ts';
import { backendMatrix } from '../storage/backends.ts';

const N = 400;
const pgSkip = (await backendMatrix()).find((m) => m.backend.name === 'postgres')!.skip;

describe.skipIf(pgSkip)('load: two instances, three Slack workspaces, two Discord shards, one PostgreSQL', () => {
  // A run cut short by the timeout would leave its bot processes and database behind.
  afterEach(stopLoadScenarios);

  it(`${N} digests due at once, SIGTERM to one instance mid fan-out: exactly one each, within every pacing`, { timeout: 150_000 }, async () => {
    const r = await runLoadScenario({ subscriptions: N, due: 'now', sigtermAt: 0.3, drainTimeoutMs: 100_000 });
    expect(r.violations).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.duplicated).toEqual([]);
    expect(r.discordRepeatedRequests).toBe(0);
    expect(r.claimStatuses).toEqual({ sent: N });
    expect(r.instances.map((i) => i.exitCode)).toEqual([0, 0]);
    expect(r.instances.every((i) => i.sent > 0)).toBe(true);
    expect(r.postedAtSigterm).toBeLessThan(N);
    expect(r.openClaimsOfStoppedInstance).toBe(0);
    expect(r.http429).toEqual({ slack: 0, discord: 0, discordGlobal: 0 });
    const worst = (key: string) => Math.max(...r.rates.filter((x) => x.key === key && x.scope !== 'both').map((x) => x.maxIn5s));
    console.info(
      `[load] ${N} digests (${r.slack} Slack in ${r.workspaces.length} workspaces, ${r.discord} Discord in ${r.guilds} guilds on ${r.shards} shards), ` +
        `2 instances, SIGTERM to A after ${r.postedAtSigterm} posts: drain ${(r.drainMs / 1000).toFixed(1)} s; A sent ${r.instances[0]!.sent}, B ${r.instances[1]!.sent}; ` +
        `${r.handedBack} handed back; max per instance in 5 s: ${worst('slack:workspace')} per Slack workspace (paced 25), ${worst('discord:global')} Discord (paced 63); 0 duplicates, 0 missing.`,
    );
  });
});
