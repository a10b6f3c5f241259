/**
 * A Lambda proxy integration response that API Gateway streams ("Set up a Lambda proxy
 * integration with payload response streaming in API Gateway"): the status and headers
 * first, as a JSON prelude the runtime's `awslambda.HttpResponseStream.from` writes (followed
 * by a delimiter of 8 zero bytes), then the payload as it is produced. API Gateway starts
 * sending to the client once it has the prelude, so an SSE stream reaches the client event
 * by event. Local mode's emulator reads the same bytes (local/emulator/streaming-integration.ts).
 */
import type { Writable } from 'node:stream';

export interface StreamingProxyResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  /** The payload: text sent at once, or chunks sent as they come. */
  readonly body: string | AsyncIterable<Uint8Array>;
}

/** The prelude API Gateway reads before the payload. */
export interface StreamingPrelude {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
}

/** `awslambda.HttpResponseStream.from` on Lambda; its stand-in in local mode. */
export type OpenResponseStream = (prelude: StreamingPrelude) => Writable;

/** Writes a result as a streamed response: the prelude, then every chunk as it arrives (waiting when the reader is slower). */
export async function writeStreamingResponse(result: StreamingProxyResult, open: OpenResponseStream): Promise<void> {
  const stream = open({
    statusCode: result.statusCode,
    headers: { ...result.headers },
    multiValueHeaders: Object.fromEntries(Object.entries(result.multiValueHeaders ?? {}).map(([name, values]) => [name, [...values]])),
  });
  try {
    if (typeof result.body === 'string') {
      if (result.body) await write(stream, Buffer.from(result.body, 'utf8'));
    } else {
      for await (const chunk of result.body) await write(stream, chunk);
    }
  } finally {
    await new Promise<void>((resolve) => stream.end(resolve));
  }
}

function write(stream: Writable, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.destroyed) {
      reject(new Error('the response stream was closed'));
      return;
    }
    if (stream.write(chunk)) resolve();
    else {
      stream.once('drain', resolve);
      stream.once('close', () => resolve());
    }
  });
}
