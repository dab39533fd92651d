/**
 * A small HTTP server for a node's endpoints: GET (and HEAD) on fixed paths, 404 for any other
 * path, 405 for any other method, 500 with a JSON error when a handler throws. Requests are
 * bounded in time (headers and whole request), so a slow or stuck client cannot hold a socket.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpResponse { status: number; contentType: string; body: string | Uint8Array; headers?: Record<string, string> }
export type HttpHandler = (url: URL, request: IncomingMessage) => Promise<HttpResponse> | HttpResponse;

export interface HttpListen { host: string; port: number }

export class HttpAddressError extends Error {
  override name = 'HttpAddressError';
}

/** `HOST:PORT` (`127.0.0.1:9644`, `[::1]:9644`, `:9644` for every interface); port 0 picks a free one. */
export function parseHttpListen(value: string): HttpListen {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65_535) throw new HttpAddressError(`--http takes HOST:PORT (e.g. 127.0.0.1:9644), got '${value}'`);
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function json(status: number, value: unknown): HttpResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

export interface RunningHttp { url: string; address: AddressInfo; close(): Promise<void> }

export async function startHttpServer(listen: HttpListen, routes: ReadonlyMap<string, HttpHandler>, onError: (error: unknown) => void): Promise<RunningHttp> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const handler = routes.get(url.pathname);
    const respond = (r: HttpResponse): void => {
      response.writeHead(r.status, { 'content-type': r.contentType, 'cache-control': 'no-store', ...r.headers });
      response.end(request.method === 'HEAD' ? undefined : r.body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return respond({ ...json(405, { error: `${request.method ?? ''} is not allowed: GET only` }), headers: { allow: 'GET, HEAD' } });
    if (handler === undefined) return respond(json(404, { error: `no such path: ${url.pathname}` }));
    Promise.resolve().then(() => handler(url, request)).then(respond, (error: unknown) => {
      onError(error);
      respond(json(500, { error: error instanceof Error ? error.message : String(error) }));
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    address,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
