// HTTP/1.1 over a plain socket, bytes exactly as given: fetch and node:http normalise or refuse the request targets,
// headers and bodies that hostile clients send (absolute-form, dot segments, backslashes, control characters).
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON when the answer is JSON (incl. problem+json), else undefined. */
  body: any;
}

export interface RawRequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sent instead of the Host header derived from the base URL; null leaves Host out. */
  host?: string | null;
}

/** Sends `bytes` on a new connection to the server of `baseUrl` and reads the answer until the server closes. */
export function sendRaw(baseUrl: string, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => {
      clearTimeout(timer);
      // The server may reset after answering (it refused the rest of the request): keep what arrived.
      if (chunks.length) resolve(parseResponse(Buffer.concat(chunks)));
      else reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (chunks.length) resolve(parseResponse(Buffer.concat(chunks)));
      else reject(new Error('the server closed the connection without answering'));
    });
    // Not end(): a half-closed connection makes Node's HTTP server drop a request whose answer is not ready yet.
    socket.write(bytes);
  });
}

/** One request with `target` as the request target, verbatim; the connection closes after the answer. */
export function rawRequest(
  baseUrl: string,
  method: string,
  target: string,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = {
    ...(options.host === null ? {} : { host: options.host ?? url.host }),
    connection: 'close',
    ...options.headers,
  };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
    headers['content-length'] = String(body.length);
  const head = `${method} ${target} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return sendRaw(baseUrl, body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1'));
}

function parseResponse(raw: Buffer): RawResponse {
  // Interim answers (100 Continue) come before the final one: skip them.
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw.subarray(0, 16).toString('latin1')) && raw.indexOf('\r\n\r\n') >= 0)
    raw = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  let payload = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
  const [statusLine, ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) payload = dechunk(payload);
  const text = payload.toString('utf8');
  let body: unknown;
  if (/json/.test(headers['content-type'] ?? '') && text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status, headers, text, body };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
