/** The refresh token family: its token format, rotation, liveness and revocation. */
export * from './family-liveness';
export * from './family-revocation';
export * from './family-rotation';
export * from './refresh-token-format';
