/** trustedIdentityProviders (issue 15): its config rules, and what the metadata advertises with and without it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../lambda/adapters/config/parse-config';
import { authorizationServerMetadata } from '../../lambda/core/authorization-server/metadata';

const shipped = () => JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
const RESOURCE = 'http://localhost:8788/mcp';

function problems(idps: unknown[]): string {
  const input = shipped();
  input.trustedIdentityProviders = idps;
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
}

describe('config: trustedIdentityProviders', () => {
  const idp = { issuer: 'https://idp.example', jwksUri: 'https://idp.example/jwks', resources: { [RESOURCE]: ['tool:read'] } };

  it('accepts an IdP and defaults subjectPrefix to ""', () => {
    const input = shipped();
    input.trustedIdentityProviders = [idp];
    expect(parseConfig(input).trustedIdentityProviders[0]).toEqual({ ...idp, subjectPrefix: '' });
  });

  it.each([
    ['an unknown resource', [{ ...idp, resources: { 'https://nope.example/mcp': ['tool:read'] } }], 'trustedIdentityProviders[0].resources.https://nope.example/mcp: must be the uri of one of resources'],
    ['a scope the resource lacks', [{ ...idp, resources: { [RESOURCE]: ['files:read'] } }], `"files:read" is not a scope of ${RESOURCE}`],
    ['an http jwksUri off localhost', [{ ...idp, jwksUri: 'http://idp.example/jwks' }], 'trustedIdentityProviders[0].jwksUri: must be an absolute https URL'],
    ['the same issuer twice', [idp, idp], 'trustedIdentityProviders[1].issuer: is listed twice'],
    ['a misspelt option', [{ ...idp, groupClaim: 'groups' }], 'trustedIdentityProviders[0].groupClaim: is not a known option'],
  ])('refuses %s', (_name, idps, message) => {
    expect(problems(idps)).toContain(message);
  });

  it('the metadata advertises jwt-bearer and the id-jag profile only while an IdP is trusted', () => {
    const input = shipped();
    input.trustedIdentityProviders = [];
    const without = authorizationServerMetadata(parseConfig(input));
    expect(without.grant_types_supported).not.toContain('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(without).not.toHaveProperty('authorization_grant_profiles_supported');
    const withIdp = authorizationServerMetadata(parseConfig(shipped()));
    expect(withIdp.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(withIdp.authorization_grant_profiles_supported).toEqual(['urn:ietf:params:oauth:grant-profile:id-jag']);
  });
});
