// Which addresses a download may connect to: never loopback, private, link-local, unspecified,
// multicast or reserved ones unless the caller allows them.
import { BlockList, isIP } from 'node:net'

const PRIVATE = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, ...)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds any IPv4 address)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6')

/** The IPv4 address an IPv6 address carries (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::`), if any. */
function embeddedIPv4(address: string): string | undefined {
  const groups = expandIPv6(address)
  if (!groups) return undefined
  const v4 = () => {
    const [hi, lo] = [groups[6] as number, groups[7] as number]
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  }
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0)
  if (zeros(0, 5) && (groups[5] === 0xffff || groups[5] === 0)) return v4() // mapped, compatible
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4() // well-known NAT64 prefix
  return undefined
}

/** The 8 16-bit groups of an IPv6 address (a trailing dotted IPv4 part allowed), or undefined. */
function expandIPv6(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, '').toLowerCase()
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail, extra] = text.split('::')
  if (extra !== undefined) return undefined
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : [])
  const left = parse(head)
  const right = parse(tail)
  const fill = tail === undefined ? 0 : 8 - left.length - right.length
  const groups = [...left, ...Array<number>(Math.max(0, fill)).fill(0), ...right]
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined
}

/**
 * True for every address a download must not reach by default: loopback, private (RFC 1918, unique
 * local), link-local, unspecified, carrier-grade NAT, multicast, documentation and reserved ranges,
 * including IPv4 addresses wrapped in IPv6. Anything that is not an IP address counts as private.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '')
  const family = isIP(bare.replace(/%.*$/, ''))
  if (family === 4) return PRIVATE.check(bare, 'ipv4')
  if (family !== 6) return true
  const v4 = embeddedIPv4(bare)
  if (v4 !== undefined) return PRIVATE.check(v4, 'ipv4')
  return PRIVATE.check(bare.replace(/%.*$/, ''), 'ipv6')
}

/**
 * True when `url`'s host is, by its spelling alone, a loopback or private address: an IP literal
 * in those ranges, `localhost` or a `*.localhost` name. No DNS lookup is made.
 */
export function isPrivateUrl(url: string | URL): boolean {
  let host: string
  try {
    host = (typeof url === 'string' ? new URL(url) : url).hostname.toLowerCase()
  } catch {
    return false
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  const bare = host.replace(/^\[|\]$/g, '')
  return isIP(bare) !== 0 && isPrivateAddress(bare)
}
