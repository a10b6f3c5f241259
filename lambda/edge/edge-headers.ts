/**
 * The request headers the CloudFront edge in front of each API adds, shared by the CDK
 * constructs (which tell the web ACL what to count and check) and local mode (which runs the
 * same edge function and counts by the same header). A CloudFront Function cannot import, so
 * lambda/edge/stamp-viewer-ip.js spells VIEWER_IP_HEADER out itself; a unit test holds the
 * two together.
 */

/** Set by the viewer-request function to the address CloudFront saw; the WAF rate rules count by it. */
export const VIEWER_IP_HEADER = 'x-mcp-oauth-viewer-ip';

/** An origin custom header holding a secret; the WAF blocks every request without it, so the stage URL only answers through the edge. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';
