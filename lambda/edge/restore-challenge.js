'use strict';
// Lambda@Edge origin-response function in front of both APIs (ChallengeRestoringEdge).
// API Gateway renames a WWW-Authenticate header an integration returns to
// x-amzn-Remapped-WWW-Authenticate, so the MCP step-up 403 and the /token 401 would reach
// clients without their challenge. CloudFront invokes origin-response functions for every
// origin response, 4xx and 5xx included, and viewer-response functions only below 400
// ("Restrictions on all edge functions"), hence an origin-response function: it puts the
// header back. A WWW-Authenticate that API Gateway produced itself (a gateway response) is
// left alone. Lambda@Edge has no environment variables and no layers: this file is all.
exports.handler = async (event) => {
  const response = event.Records[0].cf.response;
  const headers = response.headers;
  const remapped = headers['x-amzn-remapped-www-authenticate'];
  if (remapped && remapped.length > 0 && !headers['www-authenticate']) {
    headers['www-authenticate'] = remapped.map((header) => ({ key: 'WWW-Authenticate', value: header.value }));
    delete headers['x-amzn-remapped-www-authenticate'];
  }
  return response;
};
