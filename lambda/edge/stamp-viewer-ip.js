// CloudFront Function (runtime cloudfront-js-2.0), viewer-request, in front of both APIs.
//
// The regional web ACL on the API stage sees every request arrive from a CloudFront edge
// address, so it cannot count clients by the connection. X-Forwarded-For does not help: a
// client may send its own, and CloudFront appends the viewer address to it instead of
// replacing it. This stamps the address CloudFront itself saw (event.viewer.ip) into a header
// of our own, and the web ACL's rate rules count by that header (CUSTOM_KEYS).
//
// Whatever the client sent under this name is thrown away, in any spelling and however often
// repeated: CloudFront hands headers over with lower-case names, grouped into one field with a
// multiValue array when repeated. Per "CloudFront Functions event structure", a changed `value`
// alone would leave the later repeated values in place, while a changed multiValue array is
// applied as it is; so the stamped header carries both, holding the one address.
//
// The header name must match VIEWER_IP_HEADER in lambda/edge/edge-headers.ts (a unit test
// checks it). The same file runs in local mode (lambda/adapters/local/cloudfront-function-runner.ts).
// Keep it plain ES5-style JavaScript: no modules, no exports, only what CloudFront Functions support.
var VIEWER_IP_HEADER = 'x-mcp-oauth-viewer-ip';

function handler(event) {
  var request = event.request;
  var headers = request.headers;
  var names = Object.keys(headers);
  for (var i = 0; i < names.length; i++) {
    if (names[i].toLowerCase() === VIEWER_IP_HEADER) delete headers[names[i]];
  }
  headers[VIEWER_IP_HEADER] = { value: event.viewer.ip, multiValue: [{ value: event.viewer.ip }] };
  return request;
}
