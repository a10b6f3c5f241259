/** The randomness port: ids, codes, secrets and CSRF tokens come from here, never from Math.random. */

export interface Random {
  /** Cryptographically secure random bytes. */
  bytes(length: number): Uint8Array;
}
