/**
 * A user account as autostart needs it: the type shared by the context (the invoking
 * user, account lookups) and the spec (the account a boot service runs as). A leaf
 * module, so both can name it without importing each other.
 *
 * @module
 */

/** A user account. */
export interface UserInfo {
  /** Login name. */
  name: string;
  /** Numeric user id. */
  uid: number;
  /** Numeric id of the primary group. */
  gid: number;
  /** Name of the primary group. */
  group: string;
  /** Home directory. */
  home: string;
}
