import { EnvironmentError } from '../../lambda/adapters/config/env';

/** The EnvironmentError `read` throws; any other outcome fails the test. */
export function environmentErrorOf(read: () => unknown): EnvironmentError {
  try {
    read();
  } catch (error) {
    if (error instanceof EnvironmentError) return error;
    throw error;
  }
  throw new Error('expected an EnvironmentError');
}
