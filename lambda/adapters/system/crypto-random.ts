import { randomBytes } from 'node:crypto';
import type { Random } from '../../core/ports';

/** The operating system's CSPRNG: codes, refresh tokens, session ids and CSRF tokens come from here. */
export const cryptoRandom: Random = { bytes: (length) => new Uint8Array(randomBytes(length)) };
