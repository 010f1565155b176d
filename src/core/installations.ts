/**
 * Where the Slack app's installations live when it is installed in several workspaces (OAuth). The
 * storage implements this port (tokens encrypted at rest); the Slack adapter only sees it, as the digest
 * is only seen through digest-port.ts.
 */

/**
 * Which installation: a workspace's own (by team id), or an Enterprise Grid org-wide one (by enterprise id),
 * the way Bolt asks for it.
 */
export interface InstallationKey {
  teamId: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
}

export interface InstallationRecord extends InstallationKey {
  /** Everything Slack gave at install, tokens included, as JSON: written encrypted, read back decrypted. */
  secret: string;
  /** Kept in the clear so an operator can see what is installed where without the key. */
  appId: string | null;
  botUserId: string | null;
  botId: string | null;
  scopes: string[];
}

/** A channel whose digest was turned off with the installation. */
export interface DisabledChannel {
  platform: string;
  channelId: string;
}

export interface InstallationRecords {
  /** Creates or replaces the installation (a reinstall brings new tokens). */
  putInstallation(record: InstallationRecord, now: number): Promise<void>;
  getInstallation(key: InstallationKey): Promise<InstallationRecord | null>;
  /**
   * Forgets the installation and turns off the digests of its workspace (`platform`, the key's team id) with
   * `reason` recorded, in one transaction. Also for a workspace that has no stored installation (the single
   * bot token mode): its digests go off all the same.
   */
  removeInstallation(key: InstallationKey, reason: string, now: number): Promise<{ removed: boolean; disabled: DisabledChannel[] }>;
}
