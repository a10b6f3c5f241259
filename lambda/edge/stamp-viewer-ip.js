// CloudFront Function (runtime cloudfront-js-2.0), viewer-request, in front of both APIs.
//
// The regional web ACL on the API stage sees every request arrive from a CloudFront edge
// address, so it cannot count clients by the connection. X-Forwarded-For does not help: a
// client may send its own, and CloudFront appends the viewer address to it instead of
// replacing it. This stamps the address CloudFront itself saw (event.viewer.ip) into a header
// of our own, and the web ACL's rate rules count by that header (CUSTOM_KEYS).
//
// An IPv6 viewer is stamped as its /64 prefix (2001:db8:1:2::/64): one subscriber commonly
// holds a whole /64 and can pick a new address in it for every request, and AWS WAF has no
// prefix aggregation of its own, so counting full addresses would count nobody.
//
// Whatever the client sent under this name is thrown away, in any spelling and however often
// repeated: CloudFront hands headers over with lower-case names, grouped into one field with a
// multiValue array when repeated. Per "CloudFront Functions event structure", a changed `value`
// alone would leave the later repeated values in place, while a changed multiValue array is
// applied as it is; so the stamped header carries both, holding the one address.
//
// The header name must match VIEWER_IP_HEADER in lambda/edge/edge-headers.ts (a unit test
// checks it). The same file runs in local mode (local/emulator/cloudfront-functions.ts). Keep
// it plain ES5-style JavaScript: no modules, no exports, only what CloudFront Functions support.
var VIEWER_IP_HEADER = 'x-mcp-oauth-viewer-ip';

function ipv6Prefix64(ip) {
  var halves = ip.split('::');
  var head = halves[0] ? halves[0].split(':') : [];
  var tail = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  var width = function (groups) {
    // An embedded IPv4 address (::ffff:192.0.2.1) takes the last two groups.
    return groups.length + (groups.length && groups[groups.length - 1].indexOf('.') >= 0 ? 1 : 0);
  };
  var groups = head.slice();
  for (var missing = 8 - width(head) - width(tail); missing > 0; missing--) groups.push('0');
  groups = groups.concat(tail);
  var prefix = [];
  for (var i = 0; i < 4; i++) prefix.push(parseInt(groups[i] || '0', 16).toString(16));
  return prefix.join(':') + '::/64';
}

function handler(event) {
  var request = event.request;
  var headers = request.headers;
  var names = Object.keys(headers);
  for (var i = 0; i < names.length; i++) {
    if (names[i].toLowerCase() === VIEWER_IP_HEADER) delete headers[names[i]];
  }
  var viewer = event.viewer.ip.indexOf(':') >= 0 ? ipv6Prefix64(event.viewer.ip) : event.viewer.ip;
  headers[VIEWER_IP_HEADER] = { value: viewer, multiValue: [{ value: viewer }] };
  return request;
}
