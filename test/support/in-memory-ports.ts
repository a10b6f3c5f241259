/**
 * In-memory implementations of the core's ports, for unit tests of the pure core only.
 * Integration and end-to-end tests use the DynamoDB adapters against DynamoDB Local.
 * They keep the contract's semantics that matter to the core: conditional writes throw
 * ConditionFailedError, reads return expired records (the core must check expiresAt).
 */
import { constants, generateKeyPairSync, privateEncrypt, type KeyObject } from 'node:crypto';
import { ConditionFailedError, DependencyUnavailableError, GrantRefusedError, OAuthError } from '../../lambda/core/errors';
import { isRevoked } from '../../lambda/core/tokens/revocation-check';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { type Config, type JsonWebKeyConfig } from '../../lambda/core/config';
import type {
  AuditEvent,
  AuthorizationCodeRecord,
  AuthorizationCodeStore,
  AuthorizationCommit,
  AuthorizationCommits,
  CommitOutcome,
  ClientMetadataFetcher,
  ClientRecord,
  ClientStore,
  Clock,
  ConsentRecord,
  CookieKey,
  CookieKeyRing,
  CookieKeys,
  FamilyRotation,
  GrantWriter,
  LoginSessionRecord,
  PublicJwk,
  Random,
  RefreshFamilyRecord,
  RefreshFamilyStore,
  RevocationClearance,
  RevocationKey,
  RevocationRecord,
  RevocationStore,
  SessionStore,
  Signer,
  TokenRequestNames,
  TokenRequestReads,
  TokenRequestRecords,
  TrustedIssuerKeys,
  UpstreamGroups,
  UsedAssertionStore,
  UpstreamIdentity,
  UpstreamIdp,
} from '../../lambda/core/ports';
import type { AuthorizationServerDeps } from '../../lambda/core/authorization-server/deps';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export class FixedClock implements Clock {
  constructor(public ms = Date.UTC(2026, 0, 1, 12, 0, 0)) {}
  nowMs(): number {
    return this.ms;
  }
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** Deterministic bytes: a counter, so every token differs and tests can reproduce them. */
export class CountingRandom implements Random {
  private counter = 0;
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = (this.counter * 31 + i * 7 + 1) & 0xff;
    this.counter++;
    const view = new DataView(out.buffer);
    if (length >= 4) view.setUint32(0, this.counter);
    return out;
  }
}

export class InMemoryClientStore implements ClientStore {
  readonly items = new Map<string, ClientRecord>();
  async get(clientId: string) {
    return this.items.get(clientId);
  }
  async create(client: ClientRecord) {
    if (this.items.has(client.clientId)) throw new ConditionFailedError('client exists');
    this.items.set(client.clientId, client);
  }
}

/** Trusted IdPs' keys by JWKS URL, set by the test. */
export class FakeTrustedIssuerKeys implements TrustedIssuerKeys {
  readonly sets = new Map<string, readonly JsonWebKeyConfig[]>();
  async keys(jwksUri: string) {
    return this.sets.get(jwksUri) ?? [];
  }
}

export class InMemoryUsedAssertionStore implements UsedAssertionStore {
  readonly items = new Map<string, number>();
  async recordOnce(key: string, expiresAt: number) {
    if (this.items.has(key)) throw new ConditionFailedError('assertion already used');
    this.items.set(key, expiresAt);
  }
}

export class InMemoryCodeStore implements AuthorizationCodeStore {
  readonly items = new Map<string, AuthorizationCodeRecord>();
  async put(code: AuthorizationCodeRecord) {
    this.items.set(code.codeHash, code);
  }
  async get(codeHash: string) {
    return this.items.get(codeHash);
  }
}

const revocationId = (key: RevocationKey) => `${key.kind}#${key.value}`;

export class InMemoryFamilyStore implements RefreshFamilyStore {
  readonly items = new Map<string, RefreshFamilyRecord>();
  async create(family: RefreshFamilyRecord) {
    if (this.items.has(family.familyId)) throw new ConditionFailedError('family exists');
    this.items.set(family.familyId, family);
  }
  async get(familyId: string) {
    return this.items.get(familyId);
  }
  async markRevoked(familyId: string, revokedAt: number) {
    const family = this.items.get(familyId);
    if (family) this.items.set(familyId, { ...family, revokedAt });
  }
}

export class InMemoryRevocationStore implements RevocationStore {
  readonly items = new Map<string, RevocationRecord>();
  async revoke(record: RevocationRecord) {
    const existing = this.items.get(revocationId(record.key));
    if (!existing || existing.revokedAt <= record.revokedAt) this.items.set(revocationId(record.key), record);
  }
  async find(keys: readonly RevocationKey[]) {
    return keys.map((k) => this.items.get(revocationId(k))).filter((r): r is RevocationRecord => r !== undefined);
  }
}

/** /token's one read over the in-memory stores, through their own get and find, so a test that replaces one of those changes this too. */
export class InMemoryTokenRequestReads implements TokenRequestReads {
  constructor(private readonly stores: { readonly clients: ClientStore; readonly codes: AuthorizationCodeStore; readonly families: RefreshFamilyStore; readonly revocations: RevocationStore }) {}
  async read(names: TokenRequestNames): Promise<TokenRequestRecords> {
    const [client, code, family, revocations] = await Promise.all([
      names.clientId === undefined ? undefined : this.stores.clients.get(names.clientId),
      names.codeHash === undefined ? undefined : this.stores.codes.get(names.codeHash),
      names.familyId === undefined ? undefined : this.stores.families.get(names.familyId),
      names.revocationKeys.length === 0 ? [] : this.stores.revocations.find(names.revocationKeys),
    ]);
    return { client, code, family, revocations };
  }
}

/** GrantWriter over the three in-memory stores: every condition is checked, then everything written, in one synchronous step, as one transaction would. */
export class InMemoryGrantWriter implements GrantWriter {
  constructor(
    private readonly codes: InMemoryCodeStore,
    private readonly families: InMemoryFamilyStore,
    private readonly revocations: InMemoryRevocationStore,
  ) {}
  async redeemCode(codeHash: string, redeemedAt: number, family: RefreshFamilyRecord, clearance: RevocationClearance) {
    const code = this.codes.items.get(codeHash);
    if (!code || code.redeemedAt !== undefined) throw new GrantRefusedError('moved_on');
    if (this.families.items.has(family.familyId)) throw new ConditionFailedError('family exists');
    this.checkClearance(clearance);
    this.codes.items.set(codeHash, { ...code, redeemedAt, familyId: family.familyId });
    this.families.items.set(family.familyId, family);
  }
  async rotateFamily(familyId: string, expectedGeneration: number, next: FamilyRotation, clearance: RevocationClearance) {
    const family = this.families.items.get(familyId);
    if (!family || family.generation !== expectedGeneration || family.revokedAt !== undefined) throw new GrantRefusedError('moved_on');
    this.checkClearance(clearance);
    this.families.items.set(familyId, { ...family, ...next, generation: expectedGeneration + 1 });
  }
  private checkClearance(clearance: RevocationClearance) {
    const rows = clearance.keys.flatMap((key) => this.revocations.items.get(revocationId(key)) ?? []);
    if (isRevoked(rows, clearance.issuedAt)) throw new GrantRefusedError('revoked');
  }
}

export class InMemorySessionStore implements SessionStore {
  /** Single-use markers of answered pending authorizations, by pending id. */
  readonly used = new Map<string, number>();
  /** Login session listings, by sessionHash. */
  readonly logins = new Map<string, LoginSessionRecord>();
  readonly consents = new Map<string, ConsentRecord>();
  async deleteLoginSession(sessionHash: string) {
    this.logins.delete(sessionHash);
  }
  async getConsent(subject: string, clientId: string, resource: string) {
    return this.consents.get(consentId(subject, clientId, resource));
  }
  /** Test setup: a consent row as an earlier approval left it. */
  async putConsent(record: ConsentRecord) {
    this.consents.set(consentId(record.subject, record.clientId, record.resource), record);
  }
}

const consentId = (subject: string, clientId: string, resource: string) => `${subject}|${clientId}|${resource}`;

/** The same all-or-nothing conditions as DynamoDbAuthorizationCommits, over the in-memory stores. */
export class InMemoryAuthorizationCommits implements AuthorizationCommits {
  readonly commits: AuthorizationCommit[] = [];
  constructor(
    private readonly sessions: InMemorySessionStore,
    private readonly codes: InMemoryCodeStore,
  ) {}

  async commit(commit: AuthorizationCommit): Promise<CommitOutcome> {
    if (commit.singleUse && this.sessions.used.has(commit.singleUse.pendingId)) return { kind: 'already_used' };
    for (const write of commit.consents ?? []) {
      const existing = this.sessions.consents.get(consentId(write.record.subject, write.record.clientId, write.record.resource));
      const fits =
        write.replacesGrantedAt !== undefined
          ? existing?.grantedAt === write.replacesGrantedAt
          : !existing || existing.expiresAt <= write.record.grantedAt || existing.grantedAt <= write.revokedAt;
      if (!fits) return { kind: 'consent_changed' };
    }
    if (commit.code && this.codes.items.has(commit.code.codeHash)) throw new ConditionFailedError('authorization code already exists');
    this.commits.push(commit);
    if (commit.singleUse) this.sessions.used.set(commit.singleUse.pendingId, commit.singleUse.expiresAt);
    if (commit.loginSession) this.sessions.logins.set(commit.loginSession.sessionHash, commit.loginSession);
    for (const write of commit.consents ?? []) this.sessions.consents.set(consentId(write.record.subject, write.record.clientId, write.record.resource), write.record);
    if (commit.code) await this.codes.put(commit.code);
    return { kind: 'committed' };
  }
}

/** A fixed cookie key ring; rotate() makes a new current key and keeps the old one accepted, as a deployment's rotation does. */
export class FixedCookieKeys implements CookieKeys {
  private ring: CookieKeyRing;
  constructor(key: CookieKey = { id: 'test-1', secret: new Uint8Array(32).fill(7) }) {
    this.ring = { current: key, accepted: [key] };
  }
  async keyRing(): Promise<CookieKeyRing> {
    return this.ring;
  }
  rotate(next: CookieKey, keepPrevious = true): void {
    this.ring = { current: next, accepted: keepPrevious ? [next, ...this.ring.accepted] : [next] };
  }
}

/** A real RSA key: tokens it signs verify with any JOSE library against publicKeys(). */
export class TestRsaSigner implements Signer {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  signCalls = 0;
  constructor(readonly kid = 'test-key-1') {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }
  async currentKeyId() {
    return this.kid;
  }
  async signDigest(keyId: string, digest: Uint8Array) {
    if (keyId !== this.kid) throw new Error(`unknown key ${keyId}`);
    this.signCalls++;
    // Sign the DigestInfo-wrapped digest exactly as KMS does for MessageType DIGEST.
    const digestInfoPrefix = Buffer.from('3031300d060960864801650304020105000420', 'hex');
    // crypto.sign(null, ...) would hash its input once more; PKCS#1 v1.5 over a ready DigestInfo is a raw private-key operation.
    return privateEncrypt({ key: this.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([digestInfoPrefix, Buffer.from(digest)]));
  }
  async publicKeys(): Promise<readonly PublicJwk[]> {
    const jwk = this.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    return [{ kty: 'RSA', kid: this.kid, alg: 'RS256', use: 'sig', n: jwk.n, e: jwk.e }];
  }
}

/** A scripted upstream IdP: redeem() returns whoever the test logged in as. */
export class FakeUpstreamIdp implements UpstreamIdp {
  identity: UpstreamIdentity = { subject: 'alice-sub', groups: ['mcp-users', 'mcp-admins'], authTime: 0, username: 'alice' };
  lastAuthorization?: Parameters<UpstreamIdp['authorizationUrl']>[0];
  async authorizationEndpoint() {
    return 'https://idp.example/authorize';
  }
  async authorizationUrl(params: Parameters<UpstreamIdp['authorizationUrl']>[0]) {
    this.lastAuthorization = params;
    const url = new URL('https://idp.example/authorize');
    url.searchParams.set('state', params.state);
    return url.href;
  }
  async redeem(_params: { code: string; codeVerifier: string; nonce: string; redirectUri: string }) {
    return this.identity;
  }
}

/** The upstream's groups per subject, as an admin would change them; a subject not set is one the IdP cannot tell about. */
export class FakeUpstreamGroups implements UpstreamGroups {
  readonly groups = new Map<string, readonly string[]>([['alice-sub', ['mcp-users', 'mcp-admins']]]);
  reads = 0;
  unreachable = false;
  async currentGroups(subject: string) {
    this.reads++;
    if (this.unreachable) throw new DependencyUnavailableError('upstream identity provider');
    return this.groups.get(subject);
  }
}

export class FakeMetadataFetcher implements ClientMetadataFetcher {
  readonly documents = new Map<string, Record<string, unknown>>();
  fetched: string[] = [];
  async fetch(url: string) {
    this.fetched.push(url);
    const doc = this.documents.get(url);
    if (!doc) {
      throw new OAuthError('invalid_client', 'The client metadata document could not be retrieved.');
    }
    return doc;
  }
}

export class RecordingAudit {
  readonly events: AuditEvent[] = [];
  emit(event: AuditEvent) {
    this.events.push(event);
  }
}

export function localTestConfig(overrides: (raw: any) => void = () => {}): Config {
  const raw = JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
  overrides(raw);
  return parseConfig(raw);
}

export interface InMemoryDeps extends AuthorizationServerDeps {
  readonly clock: FixedClock;
  readonly random: CountingRandom;
  readonly signer: TestRsaSigner;
  readonly clients: InMemoryClientStore;
  readonly codes: InMemoryCodeStore;
  readonly families: InMemoryFamilyStore;
  readonly grantWriter: InMemoryGrantWriter;
  readonly revocations: InMemoryRevocationStore;
  readonly sessions: InMemorySessionStore;
  readonly commits: InMemoryAuthorizationCommits;
  readonly cookieKeys: FixedCookieKeys;
  readonly usedAssertions: InMemoryUsedAssertionStore;
  readonly trustedIssuerKeys: FakeTrustedIssuerKeys;
  readonly upstream: FakeUpstreamIdp;
  readonly upstreamGroups: FakeUpstreamGroups;
  readonly metadataFetcher: FakeMetadataFetcher;
  readonly audit: RecordingAudit;
  readonly errors: unknown[];
}

export function inMemoryDeps(config: Config = localTestConfig(), signer: TestRsaSigner = new TestRsaSigner()): InMemoryDeps {
  const errors: unknown[] = [];
  const sessions = new InMemorySessionStore();
  const codes = new InMemoryCodeStore();
  const families = new InMemoryFamilyStore();
  const revocations = new InMemoryRevocationStore();
  const clients = new InMemoryClientStore();
  return {
    config,
    clock: new FixedClock(),
    random: new CountingRandom(),
    signer,
    clients,
    codes,
    families,
    grantWriter: new InMemoryGrantWriter(codes, families, revocations),
    revocations,
    tokenRequestReads: new InMemoryTokenRequestReads({ clients, codes, families, revocations }),
    sessions,
    commits: new InMemoryAuthorizationCommits(sessions, codes),
    cookieKeys: new FixedCookieKeys(),
    usedAssertions: new InMemoryUsedAssertionStore(),
    trustedIssuerKeys: new FakeTrustedIssuerKeys(),
    upstream: new FakeUpstreamIdp(),
    upstreamGroups: new FakeUpstreamGroups(),
    metadataFetcher: new FakeMetadataFetcher(),
    audit: new RecordingAudit(),
    errors,
    logError: (_message, error) => errors.push(error),
  };
}

// Jest loads this module afresh for each test file, so "shared" means one key per file.
let sharedSigner: TestRsaSigner | undefined;

/**
 * Like inMemoryDeps, but every call in a test file gets the same RSA key, because key
 * generation is slow. Its signCalls then runs on across the file's tests: compare counts
 * before and after, never against zero.
 */
export function inMemoryDepsWithSharedSigner(config: Config = localTestConfig()): InMemoryDeps {
  sharedSigner ??= new TestRsaSigner();
  return inMemoryDeps(config, sharedSigner);
}
