/**
 * How every function is bundled (OAuthFunction hands these to esbuild through
 * NodejsFunction), as plain data, so that a test can bundle a handler exactly as the CDK
 * app does and read what its code can call.
 */
export const FUNCTION_BUNDLING = {
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  /** The AWS SDK v3 is part of the Node.js Lambda runtime; bundling it would only grow cold starts. */
  external: ['@aws-sdk/*'],
} as const;
