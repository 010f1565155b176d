/**
 * A mistake the user can fix (bad date, unknown country, missing option). Its message is shown
 * as is; anything that is not a UserError is a bug, logged with an id.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The caller lacks a permission the command needs. Nothing is changed. */
export class PermissionError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PermissionError';
  }
}
