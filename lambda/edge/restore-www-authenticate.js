// CloudFront Function (runtime cloudfront-js-2.0), viewer-response, in front of the MCP API.
//
// API Gateway renames a WWW-Authenticate header that an integration returns to
// x-amzn-Remapped-WWW-Authenticate, and MCP clients read only WWW-Authenticate. So a 403
// insufficient_scope challenge from the MCP server (naming the one tool's scope) would not
// reach them. This puts the header back. A WWW-Authenticate that API Gateway produced itself
// (a gateway response) is left as it is.
//
// The same file runs in local mode (local/emulator/cloudfront-functions.ts), so
// the local stack behaves like the deployed one. Keep it plain ES5-style JavaScript: no
// modules, no exports, only what CloudFront Functions support.
function handler(event) {
  var response = event.response;
  var headers = response.headers;
  var remapped = headers['x-amzn-remapped-www-authenticate'];
  if (remapped && !headers['www-authenticate']) {
    headers['www-authenticate'] = remapped.multiValue ? { value: remapped.value, multiValue: remapped.multiValue } : { value: remapped.value };
    delete headers['x-amzn-remapped-www-authenticate'];
  }
  return response;
}
