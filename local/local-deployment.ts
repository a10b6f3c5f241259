/**
 * What local mode takes from the deployment's own definitions, so that the emulator enforces
 * what the CDK app deploys and nothing is written twice: the edge's two functions
 * (ChallengeRestoringEdge), the web ACLs' rate rules and the stages' throttling
 * (lib/definitions/rate-rules.ts, with the `local` section's overrides in place of
 * deploy.rateLimits / deploy.stageThrottling), the routes of the authorization server
 * (lib/definitions/rest-routes.ts) and each function's timeout
 * (lib/definitions/function-settings.ts).
 */
import type { ResourceConfig } from '../lambda/core/config';
import type { EndpointGroup } from '../lambda/core/authorization-server/endpoints';
import { VIEWER_IP_HEADER } from '../lambda/edge/edge-headers';
import { EDGE_FUNCTIONS } from '../lib/constructs/handler-entries';
import { FUNCTION_SETTINGS, type FunctionSettings } from '../lib/definitions/function-settings';
import {
  authorizationServerRateRules,
  DEFAULT_RATE_LIMITS,
  DEFAULT_STAGE_THROTTLING,
  protectedApiRateRules,
  type RateLimits,
  type StageThrottling,
} from '../lib/definitions/rate-rules';
import { AUTHORIZATION_SERVER_ROUTES, resourcePath } from '../lib/definitions/rest-routes';
import type { EmulatedEdge, EmulatedRoute, EmulatedWebAclSpec, ProxyHandler } from './emulator/types';
import type { LocalConfig } from './local-config';

/** The CloudFront edge ChallengeRestoringEdge deploys in front of every API: the stamp at viewer-request, the challenge restore at origin-response. */
export const LOCAL_EDGE: EmulatedEdge = {
  viewerRequestFunction: EDGE_FUNCTIONS.stampViewerIp,
  originResponseFunction: { source: EDGE_FUNCTIONS.restoreChallenge, timeoutSeconds: FUNCTION_SETTINGS.restoreChallenge.timeoutSeconds },
  viewerIpHeader: VIEWER_IP_HEADER,
};

/**
 * How often local WAF re-estimates a rate. AWS does it "frequently" and the resulting delay
 * is "usually below 30 seconds" ("Rate-based rule caveats"); two seconds keep a lag that no
 * client or test may rely on away from, short enough for a test suite to wait out.
 */
export const LOCAL_WAF_ESTIMATE_INTERVAL_MS = 2_000;

/** The rate limits local mode enforces: the deployed defaults, with the local section's overrides. */
export function localRateLimits(local: Pick<LocalConfig, 'rateLimits'>): RateLimits {
  return { ...DEFAULT_RATE_LIMITS, ...local.rateLimits };
}

export function authorizationServerWebAcl(local: Pick<LocalConfig, 'rateLimits'>): EmulatedWebAclSpec {
  return { rules: authorizationServerRateRules(localRateLimits(local)), estimateIntervalMs: LOCAL_WAF_ESTIMATE_INTERVAL_MS };
}

export function protectedApiWebAcl(local: Pick<LocalConfig, 'rateLimits'>, resource: Pick<ResourceConfig, 'uri'>): EmulatedWebAclSpec {
  return { rules: protectedApiRateRules(resourcePath(resource), localRateLimits(local)), estimateIntervalMs: LOCAL_WAF_ESTIMATE_INTERVAL_MS };
}

export function localStageThrottling(local: Pick<LocalConfig, 'stageThrottling'>, api: keyof typeof DEFAULT_STAGE_THROTTLING): StageThrottling {
  return { ...DEFAULT_STAGE_THROTTLING[api], ...local.stageThrottling?.[api] };
}

/** The function that serves each endpoint group on AWS (AuthorizationServerApi), for its timeout. */
const ENDPOINT_GROUP_FUNCTIONS: Readonly<Record<EndpointGroup, FunctionSettings>> = {
  browser: FUNCTION_SETTINGS.browserEndpoints,
  token: FUNCTION_SETTINGS.tokenEndpoints,
  public: FUNCTION_SETTINGS.publicEndpoints,
};

/**
 * The authorization server's REST resources and methods as AuthorizationServerApi creates
 * them, every one served by the same handler (on AWS, by its group's function, with that
 * function's timeout): any other path or method gets API Gateway's 403 Missing
 * Authentication Token, as on AWS.
 */
export function authorizationServerRoutes(handler: ProxyHandler): EmulatedRoute[] {
  return AUTHORIZATION_SERVER_ROUTES.flatMap((route) => route.methods.map((method): EmulatedRoute => ({
    method,
    resource: route.path,
    handler,
    timeoutSeconds: ENDPOINT_GROUP_FUNCTIONS[route.group].timeoutSeconds,
  })));
}
