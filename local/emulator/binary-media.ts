/**
 * The REST API's binaryMediaTypes for Lambda proxy integrations ("Binary media types for REST
 * APIs in API Gateway"): a request whose Content-Type is one of them reaches the function
 * base64-encoded (isBase64Encoded true); a function's base64 body (isBase64Encoded true) is
 * decoded to bytes only when the request's first Accept media type is one of them, and is
 * otherwise sent as the base64 text it is. Types may use `*` (`image/*`, `*\/*`).
 */

/** Whether a media type (parameters ignored) is one of the patterns. */
export function isBinaryMediaType(mediaType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (!mediaType || binaryMediaTypes.length === 0) return false;
  const [type = '', subtype = ''] = mediaType.split(';')[0]!.trim().toLowerCase().split('/');
  return binaryMediaTypes.some((pattern) => {
    const [patternType = '', patternSubtype = ''] = pattern.trim().toLowerCase().split('/');
    return (patternType === '*' || patternType === type) && (patternSubtype === '*' || patternSubtype === subtype);
  });
}

/** The first media type of the first Accept header, which API Gateway goes by. */
export function firstAcceptedMediaType(acceptValues: readonly string[] | undefined): string | undefined {
  return acceptValues?.[0]?.split(',')[0]?.trim() || undefined;
}
