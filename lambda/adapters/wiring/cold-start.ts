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
