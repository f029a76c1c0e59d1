/**
 * IPv4/IPv6 addresses and CIDR blocks for `IpAddress` / `NotIpAddress`. Addresses are held as
 * four 32-bit words (IPv4 in the last word) so that one prefix comparison serves both families.
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are treated as the IPv4 address, because a
 * dual-stack listener reports IPv4 clients that way.
 */

export interface ParsedIp {
  readonly v6: boolean;
  readonly words: readonly [number, number, number, number];
}

export interface Cidr {
  readonly v6: boolean;
  readonly words: readonly [number, number, number, number];
  /** Prefix length counted over the 128-bit form (an IPv4 /24 is stored as 96 + 24). */
  readonly prefix: number;
}

function parseV4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value >>> 0;
}

function parseV6(text: string): [number, number, number, number] | undefined {
  let body = text;
  const zone = body.indexOf('%');
  if (zone >= 0) body = body.slice(0, zone);
  const groups: number[] = [];
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parseHalf = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseV4(piece);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = parseHalf(halves[0]);
  const tail = halves.length === 2 ? parseHalf(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups.push(...head, ...new Array<number>(missing).fill(0), ...tail);
  } else {
    if (head.length !== 8) return undefined;
    groups.push(...head);
  }
  return [
    ((groups[0] << 16) | groups[1]) >>> 0,
    ((groups[2] << 16) | groups[3]) >>> 0,
    ((groups[4] << 16) | groups[5]) >>> 0,
    ((groups[6] << 16) | groups[7]) >>> 0,
  ];
}

export function parseIpAddress(text: string): ParsedIp | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const words = parseV6(trimmed);
    if (words === undefined) return undefined;
    if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return { v6: false, words: [0, 0, 0xffff, words[3]] };
    return { v6: true, words };
  }
  const v4 = parseV4(trimmed);
  return v4 === undefined ? undefined : { v6: false, words: [0, 0, 0xffff, v4] };
}

/** `203.0.113.0/24`, `2001:DB8::/32`; a bare address is a /32 (/128). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = parseIpAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const max = address.v6 ? 128 : 32;
  let bits = max;
  if (slash >= 0) {
    const suffix = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(suffix)) return undefined;
    bits = Number(suffix);
    if (bits > max) return undefined;
  }
  return { v6: address.v6, words: address.words, prefix: address.v6 ? bits : 96 + bits };
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.v6 !== ip.v6) return false;
  let remaining = cidr.prefix;
  for (let w = 0; w < 4 && remaining > 0; w++) {
    const take = remaining >= 32 ? 32 : remaining;
    // A shift by 32 is a no-op in JS, hence the explicit full-word mask.
    const mask = take === 32 ? 0xffffffff : ~(0xffffffff >>> take) >>> 0;
    if (((cidr.words[w] & mask) >>> 0) !== ((ip.words[w] & mask) >>> 0)) return false;
    remaining -= take;
  }
  return true;
}
