/**
 * A Cognito user pool's issuer is https://cognito-idp.<region>.amazonaws.com/<userPoolId>. Pure
 * (no SDK, no CDK): the authorization server reads it to call the pool, the CDK app to grant on it.
 */
const COGNITO_ISSUER = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9-]+_[A-Za-z0-9]+)$/;

/** The region and user pool of a Cognito issuer URL, or undefined for any other issuer. */
export function cognitoUserPoolOf(issuer: string): { readonly region: string; readonly userPoolId: string } | undefined {
  const match = COGNITO_ISSUER.exec(issuer);
  return match ? { region: match[1] ?? '', userPoolId: match[2] ?? '' } : undefined;
}
