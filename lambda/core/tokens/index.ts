/** The rules of the tokens both the authorization server and the guard read. */
export * from './access-token-claims';
export * from './access-token-lifetime';
export * from './access-token-syntax';
export * from './access-token-type';
export * from './bearer-token';
export * from './jws-signature';
export * from './revocation-check';
export * from './token-rule-result';
