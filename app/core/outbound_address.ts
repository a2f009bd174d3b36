import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
  type LookupOptions,
} from 'node:dns'
import { BlockList, isIP } from 'node:net'

/**
 * Requests the server makes to an address a user typed (buyers' webhooks) must not reach the
 * instance's own network: the MinIO console, PostgreSQL's neighbours, a cloud's metadata
 * service. These ranges are loopback, private, link-local, carrier-grade NAT, unspecified and
 * multicast addresses, IPv4 and IPv6 alike.
 */
const internal = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6')
}

/** Whether an IP address (v4, v6 or v4-mapped v6) belongs to a network the server must not call. */
export function isInternalAddress(address: string) {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return internal.check(mapped[1], 'ipv4')
  const family = isIP(address)
  if (family === 0) return true
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** The error a refused address gives: its code names it in logs, its message reads in a sentence. */
export class InternalAddressError extends Error {
  code = 'E_INTERNAL_ADDRESS'
  constructor(host: string) {
    super(
      `${host} is an address of a private or local network, which this instance does not send requests to`
    )
  }
}

/** A URL host without IPv6 brackets. */
export function bareHost(url: URL) {
  return url.hostname.replace(/^\[|\]$/g, '')
}

/**
 * A `lookup` for node:http(s) that resolves as usual and refuses the connection when any
 * address of the name is internal. Checking the address actually connected to (rather than
 * the name when it was saved) also defeats a name that later resolves elsewhere.
 */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: (
    error: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number
  ) => void
) {
  dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses) => {
    if (error) return callback(error, '')
    if (addresses.length === 0 || addresses.some((entry) => isInternalAddress(entry.address))) {
      return callback(new InternalAddressError(hostname), '')
    }
    if ((options as LookupAllOptions).all) return callback(null, addresses)
    callback(null, addresses[0].address, addresses[0].family)
  })
}

/** Null when the URL's host is public (an IP literal checked as is, a name by resolving it), else why not. */
export async function internalHostReason(url: URL): Promise<string | null> {
  const host = bareHost(url)
  if (isIP(host)) return isInternalAddress(host) ? new InternalAddressError(host).message : null
  const addresses = await new Promise<LookupAddress[] | null>((resolve) =>
    dnsLookup(host, { all: true }, (error, found) => resolve(error ? null : found))
  )
  // A name that does not resolve now may later: delivery checks again, so it is not refused here.
  if (!addresses) return null
  return addresses.some((entry) => isInternalAddress(entry.address))
    ? new InternalAddressError(host).message
    : null
}
