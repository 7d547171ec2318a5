/** How the CLI reports failure: one clear line on stderr and a non-zero exit code. */
import { RuntrailApiError } from '@runtrail/core/client';

/** An error whose message is already fit for the user. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The one line printed for an error thrown by a command. */
export function describeError(error: unknown): string {
  if (error instanceof RuntrailApiError) {
    const where = error.path ? ` (${error.path})` : '';
    return error.status === 0 ? error.message : `${error.message}${where} [${error.status} ${error.code}]`;
  }
  if (error instanceof Error) return error.message.split('\n')[0]!;
  return String(error);
}
