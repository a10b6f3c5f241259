/**
 * cognito-upstream-groups.ts and cognito-issuer.ts: groups at refresh over Cognito's
 * AdminListGroupsForUser (docs/operations.md, "Groups at refresh"), against the SDK client with
 * its transport mocked (aws-sdk-client-mock): what is sent, paging, and how failures map.
 */
import { AdminListGroupsForUserCommand, CognitoIdentityProviderClient, UserNotFoundException } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { cognitoUserPoolOf } from '../../lambda/adapters/upstream-oidc/cognito-issuer';
import { CognitoUpstreamGroups } from '../../lambda/adapters/upstream-oidc/cognito-upstream-groups';
import { DependencyUnavailableError } from '../../lambda/core/errors';

const cognito = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const mock = mockClient(cognito);

beforeEach(() => mock.reset());

describe('cognito-issuer.ts: the user pool of a Cognito issuer', () => {
  it.each([
    ['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123', { region: 'eu-west-1', userPoolId: 'eu-west-1_AbC123' }],
    ['https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_x9', { region: 'us-gov-west-1', userPoolId: 'us-gov-west-1_x9' }],
    ['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/', undefined],
    ['https://cognito-idp.eu-west-1.amazonaws.com.evil.example/eu-west-1_AbC123', undefined],
    ['http://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123', undefined],
    ['https://login.example.com', undefined],
    ['http://localhost:8789', undefined],
  ])('%s -> %j', (issuer, expected) => {
    expect(cognitoUserPoolOf(issuer)).toEqual(expected);
  });
});

describe('cognito-upstream-groups.ts: AdminListGroupsForUser', () => {
  it('asks for the subject in the pool and collects every page', async () => {
    mock.on(AdminListGroupsForUserCommand, { NextToken: undefined }).resolves({ Groups: [{ GroupName: 'mcp-users' }], NextToken: 'page-2' });
    mock.on(AdminListGroupsForUserCommand, { NextToken: 'page-2' }).resolves({ Groups: [{ GroupName: 'mcp-admins' }, {}] });
    expect(await new CognitoUpstreamGroups(cognito, 'eu-west-1_AbC123').currentGroups('0f1e-sub')).toEqual(['mcp-users', 'mcp-admins']);
    expect(mock.commandCalls(AdminListGroupsForUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: 'eu-west-1_AbC123', Username: '0f1e-sub', Limit: 60, NextToken: undefined },
      { UserPoolId: 'eu-west-1_AbC123', Username: '0f1e-sub', Limit: 60, NextToken: 'page-2' },
    ]);
  });

  it('a user with no group has none', async () => {
    mock.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
    expect(await new CognitoUpstreamGroups(cognito, 'pool').currentGroups('sub')).toEqual([]);
  });

  it('a user the pool does not know cannot be vouched for: undefined (a new login decides)', async () => {
    mock.on(AdminListGroupsForUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    expect(await new CognitoUpstreamGroups(cognito, 'pool').currentGroups('sub')).toBeUndefined();
  });

  it('any other failure (throttling, access denied, network) is DependencyUnavailableError: a 503 that consumes nothing', async () => {
    mock.on(AdminListGroupsForUserCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    await expect(new CognitoUpstreamGroups(cognito, 'pool').currentGroups('sub')).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('stops after a bounded number of pages', async () => {
    mock.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'g' }], NextToken: 'again' });
    expect(await new CognitoUpstreamGroups(cognito, 'pool').currentGroups('sub')).toHaveLength(5);
    expect(mock.commandCalls(AdminListGroupsForUserCommand)).toHaveLength(5);
  });
});
