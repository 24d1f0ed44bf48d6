/**
 * Errors a caller can act on, thrown by any layer. They know nothing of GraphQL or HTTP: the
 * server gives each its code (server/errors.ts: BAD_USER_INPUT), the CLI prints its message.
 * Anything else thrown is unexpected: masked to API clients and logged in full.
 */

/** A question that cannot be answered as asked (a bad year, cursor, filter or page size). */
export class UserInputError extends Error {
  constructor(message: string) {
    super(message);
    // subclasses keep their own name in logs
    this.name = new.target.name;
  }
}
