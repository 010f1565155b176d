import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { InstallationKey, InstallationRecords } from '../../core/installations.ts';
import type { Logger } from '../../logger.ts';

/**
 * The bot scopes the install flow asks for: the manifest's (src/adapters/slack/manifest.yaml), which
 * tests/slack/manifest.test.ts keeps equal to this list.
 */
export const SLACK_BOT_SCOPES: readonly string[] = [
  'app_mentions:read',
  'channels:history',
  'channels:read',
  'chat:write',
  'chat:write.public',
  'commands',
  'files:write',
  'groups:history',
  'groups:read',
  'im:history',
  'mpim:history',
  'users:read',
];

/** A workspace has no stored installation: nothing may be sent there (the app was never installed, or was removed). */
export class NotInstalledError extends Error {
  constructor(key: InstallationKey) {
    super(`the Slack app is not installed in ${describeKey(key)}`);
    this.name = 'NotInstalledError';
  }
}

export function describeKey(key: InstallationKey): string {
  return key.isEnterpriseInstall ? `Enterprise Grid org ${key.enterpriseId ?? '?'}` : `workspace ${key.teamId ?? '?'}`;
}

/** How Bolt names an installation (from an installation or from a query) as the store keys it. */
function keyOfInstallation(installation: Installation): InstallationKey {
  const org = installation.isEnterpriseInstall === true;
  return { teamId: installation.team?.id ?? null, enterpriseId: installation.enterprise?.id ?? null, isEnterpriseInstall: org };
}

function keyOfQuery(query: InstallationQuery<boolean>): InstallationKey {
  return { teamId: query.teamId ?? null, enterpriseId: query.enterpriseId ?? null, isEnterpriseInstall: query.isEnterpriseInstall };
}

/**
 * Bolt's InstallationStore over our database (src/storage, through the InstallationRecords port): Bolt's
 * install flow stores each workspace's installation here, and its `authorize` fetches the token of the
 * workspace a request comes from. The whole installation, as Slack gave it, is kept (Bolt's advice: token
 * rotation and org installs need its fields back); the store encrypts it. Nothing here logs a token.
 */
export class DatabaseInstallationStore implements InstallationStore {
  constructor(
    private readonly records: InstallationRecords,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async storeInstallation(installation: Installation): Promise<void> {
    const key = keyOfInstallation(installation);
    await this.records.putInstallation(
      {
        ...key,
        secret: JSON.stringify(installation),
        appId: installation.appId ?? null,
        botUserId: installation.bot?.userId ?? null,
        botId: installation.bot?.id ?? null,
        scopes: installation.bot?.scopes ?? [],
      },
      this.now(),
    );
    // Also after a token refresh (token rotation): Bolt stores the installation again with the new tokens.
    this.log.info({ teamId: key.teamId, enterpriseId: key.enterpriseId, orgWide: key.isEnterpriseInstall }, 'Slack installation stored (tokens encrypted)');
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const key = keyOfQuery(query);
    const record = await this.records.getInstallation(key);
    if (!record) throw new NotInstalledError(key);
    return JSON.parse(record.secret) as Installation;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.uninstall(keyOfQuery(query), `the Slack app was removed from the workspace on ${day(this.now())}`);
  }

  /** Forgets the installation and turns its workspace's digests off with `reason` recorded. */
  async uninstall(key: InstallationKey, reason: string): Promise<{ removed: boolean; digestsTurnedOff: number }> {
    const { removed, disabled } = await this.records.removeInstallation(key, reason, this.now());
    this.log.info(
      { teamId: key.teamId, enterpriseId: key.enterpriseId, orgWide: key.isEnterpriseInstall, removed, digestsTurnedOff: disabled.length },
      'Slack installation removed; its digests are off',
    );
    return { removed, digestsTurnedOff: disabled.length };
  }
}

export function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
