/**
 * The user's groups as the upstream IdP holds them now, read without the user present, so a
 * refresh can drop what a removed group granted (docs/operations.md, "Groups at refresh").
 */
export interface UpstreamGroups {
  /**
   * The subject's groups now, or undefined when this IdP cannot tell (it offers no such read, or
   * no longer knows the user): then only a new login can. Throws DependencyUnavailableError when
   * the IdP cannot be reached.
   */
  currentGroups(subject: string): Promise<readonly string[] | undefined>;
}
