/**
 * UpstreamGroups over Cognito's AdminListGroupsForUser, so a refresh re-reads a user's groups
 * without the user (docs/operations.md, "Groups at refresh"). Cognito accepts a native user's
 * `sub` as the Username; a user it does not know (deleted, or federated into the pool under
 * another username) reads as undefined, which means a new login.
 *
 * Bounded like every dependency: one attempt per page with a timeout, at most MAX_PAGES pages;
 * Cognito unreachable or throttling is DependencyUnavailableError (503, nothing consumed).
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DependencyUnavailableError } from '../../core/errors';
import { cognitoSdk } from '../aws-clients/sdk-packages';
import type { UpstreamGroups } from '../../core/ports';

/** 60 groups a page (Cognito's maximum): far more groups than any group -> scope policy names. */
const MAX_PAGES = 5;
const PAGE_SIZE = 60;

export class CognitoUpstreamGroups implements UpstreamGroups {
  constructor(
    private readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>,
    private readonly userPoolId: string,
    private readonly timeoutMs = 3000,
  ) {}

  async currentGroups(subject: string): Promise<readonly string[] | undefined> {
    const groups: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let answer;
      try {
        answer = await this.cognito.send(
          new (cognitoSdk().AdminListGroupsForUserCommand)({ UserPoolId: this.userPoolId, Username: subject, Limit: PAGE_SIZE, NextToken: nextToken }),
          { abortSignal: AbortSignal.timeout(this.timeoutMs) },
        );
      } catch (error) {
        if (error instanceof Error && error.name === 'UserNotFoundException') return undefined;
        throw new DependencyUnavailableError('upstream identity provider', { cause: error });
      }
      for (const group of answer.Groups ?? []) if (group.GroupName) groups.push(group.GroupName);
      nextToken = answer.NextToken;
      if (!nextToken) return groups;
    }
    // More pages than any policy needs: what was read is still only what the user has.
    return groups;
  }
}
