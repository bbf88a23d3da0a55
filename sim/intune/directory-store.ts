/**
 * The directory objects the emulator targets: users, security groups and their members, and
 * managed devices (with their channel token hash and sign-in state), in the emulator's SQLite
 * file. Synchronous, statements prepared once.
 */
import type { Db } from '../../store/database.js';
import type { DeviceRecord, GroupRecord, JoinType, MemberRef, UserRecord } from './policy-types.js';
import { tokenHash } from './policy-store.js';

interface UserRow { id: string; display_name: string; upn: string; created_at: number }
interface GroupRow { id: string; display_name: string; description: string | null; mail_nickname: string; created_at: number }
interface MemberRow { member_id: string; member_kind: string }
interface DeviceRow {
  managed_device_id: string; device_id: string; object_id: string; device_name: string; join_type: string; os_version: string; enrolled_at: number;
  primary_user_id: string | null; signed_in_user_id: string | null; last_sign_in_at: number | null; last_sync_at: number | null;
  channel_token_hash: string;
}

const userOf = (r: UserRow): UserRecord => ({ id: r.id, displayName: r.display_name, userPrincipalName: r.upn, createdAt: r.created_at });
const groupOf = (r: GroupRow): GroupRecord => ({
  id: r.id, displayName: r.display_name, description: r.description, mailNickname: r.mail_nickname, createdAt: r.created_at,
});
const deviceOf = (r: DeviceRow): DeviceRecord => ({
  managedDeviceId: r.managed_device_id, deviceId: r.device_id, objectId: r.object_id, deviceName: r.device_name, joinType: r.join_type as JoinType,
  osVersion: r.os_version, enrolledAt: r.enrolled_at, primaryUserId: r.primary_user_id ?? undefined, signedInUserId: r.signed_in_user_id ?? undefined,
  lastSignInAt: r.last_sign_in_at ?? undefined, lastSyncAt: r.last_sync_at ?? undefined,
});

/** A search of the device list: name contains `search` (or an id equals it), join type, one page. */
export interface DevicePageQuery {
  readonly search: string;
  readonly joinType: JoinType | undefined;
  readonly offset: number;
  readonly limit: number;
}

interface PageParams { search: string; pattern: string; join: string | null; offset: number; limit: number }

const PAGE_WHERE = `(@search = '' OR device_name LIKE @pattern ESCAPE '\\' OR managed_device_id = lower(@search) OR device_id = lower(@search))
  AND (@join IS NULL OR join_type = @join)`;

/** Users, groups, members and managed devices in SQLite. */
export class DirectoryStore {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      putUser: db.prepare('INSERT INTO intune_users (id, display_name, upn, created_at) VALUES (?, ?, ?, ?)'),
      user: db.prepare<[string], UserRow>('SELECT * FROM intune_users WHERE id = ?'),
      userByUpn: db.prepare<[string], UserRow>('SELECT * FROM intune_users WHERE upn = ?'),
      users: db.prepare<[], UserRow>('SELECT * FROM intune_users ORDER BY created_at, rowid'),
      putGroup: db.prepare('INSERT INTO intune_groups (id, display_name, description, mail_nickname, created_at) VALUES (?, ?, ?, ?, ?)'),
      group: db.prepare<[string], GroupRow>('SELECT * FROM intune_groups WHERE id = ?'),
      groups: db.prepare<[], GroupRow>('SELECT * FROM intune_groups ORDER BY created_at, rowid'),
      deleteGroup: db.prepare('DELETE FROM intune_groups WHERE id = ?'),
      addMember: db.prepare('INSERT OR IGNORE INTO intune_group_members (group_id, member_id, member_kind, added_at) VALUES (?, ?, ?, ?)'),
      removeMember: db.prepare('DELETE FROM intune_group_members WHERE group_id = ? AND member_id = ?'),
      members: db.prepare<[string], MemberRow>('SELECT member_id, member_kind FROM intune_group_members WHERE group_id = ? ORDER BY added_at, member_id'),
      groupsOf: db.prepare<[string], { group_id: string }>('SELECT group_id FROM intune_group_members WHERE member_id = ?'),
      isMember: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM intune_group_members WHERE group_id = ? AND member_id = ?'),
      putDevice: db.prepare(`INSERT INTO intune_devices (managed_device_id, device_id, object_id, device_name, join_type, os_version, enrolled_at, channel_token_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      device: db.prepare<[string], DeviceRow>('SELECT * FROM intune_devices WHERE managed_device_id = ?'),
      deviceByDeviceId: db.prepare<[string], DeviceRow>('SELECT * FROM intune_devices WHERE device_id = ?'),
      deviceByObjectId: db.prepare<[string], DeviceRow>('SELECT * FROM intune_devices WHERE object_id = ?'),
      devices: db.prepare<[], DeviceRow>('SELECT * FROM intune_devices ORDER BY enrolled_at, rowid'),
      devicePage: db.prepare<[PageParams], DeviceRow>(`SELECT * FROM intune_devices WHERE ${PAGE_WHERE}
        ORDER BY device_name COLLATE NOCASE, managed_device_id LIMIT @limit OFFSET @offset`),
      deviceCount: db.prepare<[PageParams], { n: number }>(`SELECT count(*) AS n FROM intune_devices WHERE ${PAGE_WHERE}`),
      signIn: db.prepare('UPDATE intune_devices SET signed_in_user_id = ?, last_sign_in_at = ?, primary_user_id = coalesce(primary_user_id, ?) WHERE managed_device_id = ?'),
      signOut: db.prepare('UPDATE intune_devices SET signed_in_user_id = NULL WHERE managed_device_id = ?'),
      setPrimaryUser: db.prepare('UPDATE intune_devices SET primary_user_id = ? WHERE managed_device_id = ?'),
      synced: db.prepare('UPDATE intune_devices SET last_sync_at = ? WHERE managed_device_id = ?'),
      osVersion: db.prepare('UPDATE intune_devices SET os_version = ? WHERE managed_device_id = ?'),
      nextCmdIds: db.prepare<[number, string], { next_cmd_id: number }>(
        'UPDATE intune_devices SET next_cmd_id = next_cmd_id + ? WHERE managed_device_id = ? RETURNING next_cmd_id'),
    };
  }

  putUser(u: UserRecord): void {
    this.#s.putUser.run(u.id, u.displayName, u.userPrincipalName, u.createdAt);
  }

  user(id: string): UserRecord | undefined {
    const r = this.#s.user.get(id.toLowerCase());
    return r ? userOf(r) : undefined;
  }

  userByUpn(upn: string): UserRecord | undefined {
    const r = this.#s.userByUpn.get(upn);
    return r ? userOf(r) : undefined;
  }

  users(): UserRecord[] {
    return this.#s.users.all().map(userOf);
  }

  putGroup(g: GroupRecord): void {
    this.#s.putGroup.run(g.id, g.displayName, g.description, g.mailNickname, g.createdAt);
  }

  group(id: string): GroupRecord | undefined {
    const r = this.#s.group.get(id.toLowerCase());
    return r ? groupOf(r) : undefined;
  }

  groups(): GroupRecord[] {
    return this.#s.groups.all().map(groupOf);
  }

  deleteGroup(id: string): boolean {
    return this.#s.deleteGroup.run(id).changes > 0;
  }

  /** Adds a member; false when it already was one. */
  addMember(groupId: string, m: MemberRef, at: number): boolean {
    return this.#s.addMember.run(groupId, m.id, m.kind, at).changes > 0;
  }

  removeMember(groupId: string, memberId: string): boolean {
    return this.#s.removeMember.run(groupId, memberId).changes > 0;
  }

  members(groupId: string): MemberRef[] {
    return this.#s.members.all(groupId).map((r) => ({ kind: r.member_kind === 'user' ? 'user' : 'device', id: r.member_id }));
  }

  /** Ids of the groups an object (device object id or user id) belongs to. */
  groupsOf(memberId: string): Set<string> {
    return new Set(this.#s.groupsOf.all(memberId).map((r) => r.group_id));
  }

  isMember(groupId: string, memberId: string): boolean {
    return (this.#s.isMember.get(groupId, memberId)?.n ?? 0) > 0;
  }

  putDevice(d: DeviceRecord, channelToken: string): void {
    this.#s.putDevice.run(d.managedDeviceId, d.deviceId, d.objectId, d.deviceName, d.joinType, d.osVersion, d.enrolledAt, tokenHash(channelToken));
  }

  device(managedDeviceId: string): DeviceRecord | undefined {
    const r = this.#s.device.get(managedDeviceId.toLowerCase());
    return r ? deviceOf(r) : undefined;
  }

  /** The device by its Entra deviceId (the channel's id). */
  deviceByDeviceId(deviceId: string): DeviceRecord | undefined {
    const r = this.#s.deviceByDeviceId.get(deviceId.toLowerCase());
    return r ? deviceOf(r) : undefined;
  }

  deviceByObjectId(objectId: string): DeviceRecord | undefined {
    const r = this.#s.deviceByObjectId.get(objectId.toLowerCase());
    return r ? deviceOf(r) : undefined;
  }

  devices(): DeviceRecord[] {
    return this.#s.devices.all().map(deviceOf);
  }

  /** One page of devices by name (the web pages' device list), and how many match in all. */
  devicePage(q: DevicePageQuery): { total: number; devices: DeviceRecord[] } {
    const params: PageParams = {
      search: q.search, pattern: `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, join: q.joinType ?? null, offset: q.offset, limit: q.limit,
    };
    return { total: this.#s.deviceCount.get(params)?.n ?? 0, devices: this.#s.devicePage.all(params).map(deviceOf) };
  }

  /** True when `token` is the device's channel token. */
  checkChannelToken(deviceId: string, token: string): boolean {
    const r = this.#s.deviceByDeviceId.get(deviceId.toLowerCase());
    return r !== undefined && r.channel_token_hash === tokenHash(token);
  }

  /** Signs a user in; the first user to sign in becomes the primary user. */
  signIn(managedDeviceId: string, userId: string, at: number): void {
    this.#s.signIn.run(userId, at, userId, managedDeviceId);
  }

  signOut(managedDeviceId: string): void {
    this.#s.signOut.run(managedDeviceId);
  }

  setPrimaryUser(managedDeviceId: string, userId: string | null): void {
    this.#s.setPrimaryUser.run(userId, managedDeviceId);
  }

  synced(managedDeviceId: string, at: number): void {
    this.#s.synced.run(at, managedDeviceId);
  }

  setOsVersion(managedDeviceId: string, osVersion: string): void {
    this.#s.osVersion.run(osVersion, managedDeviceId);
  }

  /** Reserves `count` CmdIDs for the device and returns the first (CmdIDs never repeat per device). */
  reserveCmdIds(managedDeviceId: string, count: number): number {
    const r = this.#s.nextCmdIds.get(count, managedDeviceId);
    return (r?.next_cmd_id ?? count + 1) - count;
  }
}
