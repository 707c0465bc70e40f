import { Readable } from 'node:stream';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, QueryParameterBag, RequestHandler } from '@smithy/types';
import type { EmulatorRequest, EmulatorResponse } from './server';

/**
 * A smithy `HttpHandler` that hands each request to the emulator's pipeline in process: the SDK
 * serializes, signs, retries and deserializes as it does over HTTP, and only the socket is gone.
 * Structural, from `@smithy/types`, because `@smithy/protocol-http` is not a dependency of the
 * project.
 */
export class InProcessRequestHandler implements RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
  /** The SDK reads this to learn the handler's settings; an in-process handler has none. */
  public readonly metadata = { handlerProtocol: 'in-process' };

  /** @param serve the emulator's pipeline */
  constructor(private readonly serve: (request: EmulatorRequest) => Promise<EmulatorResponse>) {}

  /**
   * Serves one request. A dropped connection fails as a reset socket does with the SDK's Node
   * handler (`name: 'TimeoutError'`, `code: 'ECONNRESET'`), which the SDK's retry strategies treat
   * as transient.
   */
  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    if (options.abortSignal?.aborted) {
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    }
    const answer = await this.serve({
      method: request.method,
      path: request.path + queryString(request.query),
      headers: request.headers,
      body: bodyText(request.body),
    });
    if (answer.dropped) {
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    }
    return {
      response: {
        statusCode: answer.status,
        headers: Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value])),
        // The deserializers collect the body from a stream, as they get it from the Node handler.
        body: Readable.from([Buffer.from(answer.body, 'utf8')]),
      },
    };
  }

  /** Nothing to change: the SDK calls this when a client's extensions set HTTP settings. */
  updateHttpClientConfig(): void {
    // An in-process handler has no timeouts or sockets to configure.
  }

  /** The HTTP settings in force: none. */
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  /** Nothing to release: `client.destroy()` calls this. */
  destroy(): void {
    // No sockets are held.
  }
}

function queryString(query: QueryParameterBag | undefined): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      parts.push(item === null ? encodeURIComponent(key) : `${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
    }
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) {
    return '';
  }
  if (typeof body === 'string') {
    return body;
  }
  if (body instanceof Uint8Array) {
    // Decoded from the bytes: the SDK's JSON body is a Uint8Array that warns when read as a string.
    return new TextDecoder().decode(body);
  }
  throw new Error(`the in-process emulator takes string or byte bodies, not ${Object.prototype.toString.call(body)}`);
}
