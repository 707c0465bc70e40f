/**
 * The plumbing the local AWS endpoints share (the local CloudFormation and the local EventBridge):
 * an HTTP server on a free port of 127.0.0.1 that never keeps the process alive, and a close that
 * does not wait for SDK clients' idle connections.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A started local endpoint. */
export interface LoopbackServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Stops it; calling it again does nothing. */
  close(): Promise<void>;
}

/** The body of a request, as text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves `handle` on a free port of 127.0.0.1. A request whose handling throws is answered 500 with
 * the error. The server is unref'd: a caller that forgets close() must not keep the process (or
 * jest) alive.
 */
export async function startLoopbackServer(handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>): Promise<LoopbackServer> {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      if (closed) {
        return Promise.resolve();
      }
      closed = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
