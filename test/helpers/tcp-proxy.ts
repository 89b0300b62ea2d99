// A TCP proxy in front of a real server (PostgreSQL, Redis) that can be switched to a black hole: it then accepts
// connections and swallows bytes without ever answering, as a hung server or a network that drops packets does —
// unlike a stopped server, which refuses at once.
import net from 'node:net';

export interface TcpProxy {
  /** 127.0.0.1 port the proxy listens on. */
  port: number;
  /** true: accept, swallow, never answer (also on connections already open); false: forward. */
  setBlackHole(on: boolean): void;
  /**
   * Wedges the open connections whose last request matches `pattern`: from now on they forward nothing either way,
   * as a connection that a failover left half-dead does; other connections, and new ones, go on working. Returns how
   * many were wedged.
   */
  wedge(pattern: RegExp): number;
  /** Connections currently open through the proxy (client side). */
  openConnections(): number;
  /** Bytes clients sent while black-holed (what a silent server would have been asked). */
  swallowedBytes(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let blackHole = false;
  let swallowed = 0;
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  const lastSent = new Map<net.Socket, Buffer>();
  const wedged = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    clients.add(client);
    client.on('close', () => {
      sockets.delete(client);
      clients.delete(client);
      lastSent.delete(client);
      wedged.delete(client);
    });
    client.on('error', () => {});
    client.on('data', (d: Buffer) => {
      if (blackHole) swallowed += d.length;
    });
    // Opened while black-holed: never reaches the server, as a connect to a hung host never completes its handshake.
    if (blackHole) return;
    const upstream = net.connect(target.port, target.host);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => {});
    client.on('close', () => upstream.destroy());
    client.on('data', (d: Buffer) => {
      lastSent.set(client, d);
      if (!blackHole && !wedged.has(client)) upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!blackHole && !wedged.has(client)) client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    setBlackHole: (on) => {
      blackHole = on;
    },
    wedge: (pattern) => {
      for (const c of clients) if (pattern.test(lastSent.get(c)?.toString('latin1') ?? '')) wedged.add(c);
      return wedged.size;
    },
    openConnections: () => clients.size,
    swallowedBytes: () => swallowed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The URL with its host and port replaced by the proxy's. */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}
