// Whether an IP address is on the public internet. A webhook that a person adds from the console must point there:
// otherwise the workers could be made to post into the operator's own network (loopback, link-local metadata
// services, private ranges), a server-side request forgery. Pure: the caller resolves names.

/** IPv4 ranges that are not public: this host, private, shared, link-local, documentation, benchmark, multicast. */
const V4_BLOCKED: Array<[number, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
].map(([base, bits]) => [v4(base as string), bits as number]);

function v4(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function publicV4(address: string): boolean {
  const n = v4(address);
  return !V4_BLOCKED.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

function publicV6(address: string): boolean {
  const a = address.toLowerCase().split('%')[0]!;
  const mapped = /^(?:0*:)*ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return publicV4(mapped[1]!);
  // The same in hex, as URLs write it: ::ffff:c0a8:101 is 192.168.1.1.
  const hex = /^(?:0*:)*ffff:([\da-f]{1,4}):([\da-f]{1,4})$/.exec(a);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return publicV4([hi >> 8, hi & 255, lo >> 8, lo & 255].join('.'));
  }
  if (a === '::' || a === '::1') return false;
  const first = parseInt(a.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return false; // fe80::/10 link-local
  if ((first & 0xff00) === 0xff00) return false; // multicast
  if (first === 0x2001 && parseInt(a.split(':')[1] || '0', 16) === 0x0db8) return false; // documentation
  return true;
}

/** True for an address on the public internet; false for anything else, and for a text that is no address. */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return publicV4(address);
  if (isIPv6(address)) return publicV6(address);
  return false;
}

export const isIPv4 = (text: string): boolean =>
  /^\d{1,3}(?:\.\d{1,3}){3}$/.test(text) && text.split('.').every((p) => Number(p) <= 255);

export const isIPv6 = (text: string): boolean => text.includes(':') && /^[\da-f:.]+(?:%\w+)?$/i.test(text);
