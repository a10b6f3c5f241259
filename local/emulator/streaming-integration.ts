/**
 * API Gateway's Lambda proxy integration with response streaming (responseTransferMode
 * STREAM; "Set up a Lambda proxy integration with payload response streaming in API
 * Gateway"): the function writes a JSON prelude (status, headers), a delimiter of 8 zero
 * bytes, then the payload; API Gateway answers the client once it has the prelude and passes
 * the payload on as it arrives. Here the function gets a writable stream, as the Lambda
 * runtime's streamifyResponse gives it one, and `lambdaResponseStream` stands in for the
 * runtime's `awslambda.HttpResponseStream.from`.
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A streaming Lambda handler as streamifyResponse receives it: the event and the response stream. */
export type StreamingLambdaHandler = (event: APIGatewayProxyEvent, responseStream: Writable) => Promise<void>;

export interface StreamingPrelude {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly cookies?: readonly string[];
}

const DELIMITER = Buffer.alloc(8);
/** A prelude is a small JSON object; a function that writes this much without a delimiter is not writing one. */
const MAX_PRELUDE_BYTES = 64 * 1024;

/** The stand-in for `awslambda.HttpResponseStream.from(stream, prelude)`: the prelude and the delimiter, then the stream itself. */
export function lambdaResponseStream(responseStream: Writable, prelude: StreamingPrelude): Writable {
  responseStream.write(Buffer.concat([Buffer.from(JSON.stringify(prelude), 'utf8'), DELIMITER]));
  return responseStream;
}

export type StreamingOutcome =
  | { readonly kind: 'streaming'; readonly prelude: StreamingPrelude; readonly body: Readable }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'failed' };

/**
 * Invokes the function and waits for its prelude (at most `timeoutMs`, API Gateway's
 * integration timeout for the answer to start); the payload then flows through `body` until
 * the function ends its stream. A function that fails or ends before a valid prelude is a 502.
 */
export function invokeStreaming(handler: StreamingLambdaHandler, event: APIGatewayProxyEvent, timeoutMs: number): Promise<StreamingOutcome> {
  const stream = new PassThrough();
  const body = new PassThrough();
  return new Promise((resolve) => {
    let head = Buffer.alloc(0);
    let settled = false;
    const settle = (outcome: StreamingOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const at = head.indexOf(DELIMITER);
      if (at === -1) {
        if (head.length > MAX_PRELUDE_BYTES) settle({ kind: 'failed' });
        return;
      }
      const prelude = parsePrelude(head.subarray(0, at));
      if (!prelude) {
        settle({ kind: 'failed' });
        return;
      }
      stream.off('data', onData);
      const rest = head.subarray(at + DELIMITER.length);
      if (rest.length) body.write(rest);
      stream.pipe(body);
      settle({ kind: 'streaming', prelude, body });
    };
    stream.on('data', onData);
    stream.on('end', () => settle({ kind: 'failed' }));
    handler(event, stream).then(
      () => {
        if (!stream.writableEnded) stream.end();
      },
      (error: unknown) => {
        settle({ kind: 'failed' });
        // A failure mid-stream cuts the payload, as it does on AWS.
        body.destroy(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function parsePrelude(bytes: Buffer): StreamingPrelude | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const prelude = value as Partial<StreamingPrelude>;
  if (typeof prelude.statusCode !== 'number' || !Number.isInteger(prelude.statusCode) || prelude.statusCode < 100 || prelude.statusCode > 599) return undefined;
  return prelude as StreamingPrelude;
}
