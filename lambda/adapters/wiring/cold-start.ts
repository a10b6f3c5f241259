/**
 * What a Lambda function builds once per container (clients, JWKS, discovery documents and
 * caches survive between invocations). A failure while building is not kept: the next
 * invocation tries again, so a function recovers by itself once its dependency does.
 */
export function oncePerContainer<T>(build: () => T | Promise<T>): () => Promise<T> {
  let building: Promise<T> | undefined;
  return () => {
    building ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        building = undefined;
        throw error;
      });
    return building;
  };
}

/**
 * Starts a oncePerContainer build while the module loads, in Lambda's init phase, so that its
 * network calls (a JWKS fetch, a secret) are under way before the first invocation arrives. A
 * failure here is nobody's answer and is not kept: the first invocation builds again and
 * answers, or logs, that error.
 */
export function startDuringInit(build: () => Promise<unknown>): void {
  build().catch(() => undefined);
}
