/**
 * Special-purpose IP addresses: no news site or webhook receiver is served from them, and many
 * reach inside a network (cloud metadata at 169.254.169.254, routers, the host itself).
 *
 * The table is the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890) entry by
 * entry, plus the blocks of the IANA address-space registries that are not unicast and the
 * embedded-IPv4 forms RFC 4291 deprecated. ipaddr.js parses addresses and matches CIDRs; its
 * own `range()` is not used because its names are coarser ("reserved" covers documentation,
 * benchmarking and 240/4 alike) and it knows neither ::/96 nor 100:0:0:1::/64, while a refusal
 * should name the exact block.
 */
import ipaddr from "ipaddr.js";

const REGISTRY: ReadonlyArray<readonly [cidr: string, name: string]> = [
  // IANA IPv4 Special-Purpose Address Registry
  ["0.0.0.0/8", '"this network" (RFC 791)'],
  ["10.0.0.0/8", "private-use (RFC 1918)"],
  ["100.64.0.0/10", "shared address space, carrier-grade NAT (RFC 6598)"],
  ["127.0.0.0/8", "loopback (RFC 1122)"],
  ["169.254.0.0/16", "link-local (RFC 3927)"],
  ["172.16.0.0/12", "private-use (RFC 1918)"],
  ["192.0.0.0/24", "IETF protocol assignments (RFC 6890)"],
  ["192.0.2.0/24", "documentation, TEST-NET-1 (RFC 5737)"],
  ["192.31.196.0/24", "AS112-v4 (RFC 7535)"],
  ["192.52.193.0/24", "AMT (RFC 7450)"],
  ["192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"],
  ["192.168.0.0/16", "private-use (RFC 1918)"],
  ["192.175.48.0/24", "direct delegation AS112 service (RFC 7534)"],
  ["198.18.0.0/15", "benchmarking (RFC 2544)"],
  ["198.51.100.0/24", "documentation, TEST-NET-2 (RFC 5737)"],
  ["203.0.113.0/24", "documentation, TEST-NET-3 (RFC 5737)"],
  ["240.0.0.0/4", "reserved (RFC 1112)"],
  ["255.255.255.255/32", "limited broadcast (RFC 919)"],
  // IANA IPv4 Address Space Registry
  ["224.0.0.0/4", "multicast (RFC 5771)"],
  // IANA IPv6 Special-Purpose Address Registry
  ["::1/128", "loopback (RFC 4291)"],
  ["::/128", "unspecified (RFC 4291)"],
  ["::ffff:0:0/96", "IPv4-mapped (RFC 4291)"],
  ["64:ff9b::/96", "IPv4-IPv6 translation, NAT64 (RFC 6052)"],
  ["64:ff9b:1::/48", "local-use IPv4-IPv6 translation (RFC 8215)"],
  ["100::/64", "discard-only (RFC 6666)"],
  ["100:0:0:1::/64", "dummy IPv6 prefix (RFC 9780)"],
  ["2001::/23", "IETF protocol assignments (RFC 2928)"],
  ["2001::/32", "Teredo (RFC 4380)"],
  ["2001:1::1/128", "port control protocol anycast (RFC 7723)"],
  ["2001:1::2/128", "TURN anycast (RFC 8155)"],
  ["2001:1::3/128", "DNS-SD service registration protocol anycast (RFC 9665)"],
  ["2001:2::/48", "benchmarking (RFC 5180)"],
  ["2001:3::/32", "AMT (RFC 7450)"],
  ["2001:4:112::/48", "AS112-v6 (RFC 7535)"],
  ["2001:10::/28", "deprecated ORCHID (RFC 4843)"],
  ["2001:20::/28", "ORCHIDv2 (RFC 7343)"],
  ["2001:30::/28", "drone remote ID entity tags (RFC 9374)"],
  ["2001:db8::/32", "documentation (RFC 3849)"],
  ["2002::/16", "6to4 (RFC 3056)"],
  ["2620:4f:8000::/48", "direct delegation AS112 service (RFC 7534)"],
  ["3fff::/20", "documentation (RFC 9637)"],
  ["5f00::/16", "SRv6 segment identifiers (RFC 9602)"],
  ["fc00::/7", "unique-local (RFC 4193)"],
  ["fe80::/10", "link-local (RFC 4291)"],
  // IANA IPv6 Address Space Registry, and forms RFC 4291 and RFC 2765 defined
  ["::/96", "IPv4-compatible, deprecated (RFC 4291)"],
  ["::ffff:0:0:0/96", "IPv4-translated (RFC 2765)"],
  ["fec0::/10", "site-local, deprecated (RFC 3879)"],
  ["ff00::/8", "multicast (RFC 4291)"],
];

const RANGES = REGISTRY.map(([cidr, name]) => ({ cidr, name, range: ipaddr.parseCIDR(cidr) }));
const LOOPBACK_BLOCKS = new Set(["127.0.0.0/8", "::1/128"]);
/** IANA allocates IPv6 global unicast only from here; the rest of the space is reserved. */
const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");

export interface SpecialAddress {
  /** Loopback is allowed in local development; nothing else here ever is. */
  loopback: boolean;
  /** Completes "host <address> is …": the block, its registry name and RFC. */
  description: string;
}

/** The registry's entries overlap (2001::/23 holds Teredo's 2001::/32); the narrowest one names the address. */
function narrowestEntry(address: ipaddr.IPv4 | ipaddr.IPv6) {
  let found: (typeof RANGES)[number] | null = null;
  for (const entry of RANGES) {
    const [network, bits] = entry.range;
    if (network.kind() === address.kind() && address.match(network, bits) && (found === null || bits > found.range[1])) found = entry;
  }
  return found;
}

/**
 * Whether an IP address (without brackets) is special-purpose, and which block it is in; null
 * for an ordinary unicast address. An IPv4-mapped address is the IPv4 address it carries, so it
 * is judged as that address; an IPv4-compatible one is refused as deprecated, except that the
 * compatible form of a loopback address counts as loopback.
 */
export function specialAddress(literal: string): SpecialAddress | null {
  const address = ipaddr.parse(literal);
  const entry = narrowestEntry(address);
  if (entry && (entry.cidr === "::ffff:0:0/96" || entry.cidr === "::/96")) {
    const ipv4 = ipaddr.fromByteArray(address.toByteArray().slice(12)).toString();
    const carried = specialAddress(ipv4);
    const form = entry.cidr === "::/96" ? "IPv4-compatible" : "IPv4-mapped";
    if (form === "IPv4-mapped" || carried?.loopback) {
      return carried && { loopback: carried.loopback, description: `the ${form} form of ${ipv4}, which is ${carried.description}` };
    }
  }
  if (entry) return { loopback: LOOPBACK_BLOCKS.has(entry.cidr), description: `in ${entry.cidr}, ${entry.name}` };
  if (address.kind() === "ipv6" && !address.match(GLOBAL_UNICAST)) {
    return { loopback: false, description: "outside 2000::/3, the only IPv6 block allocated for global unicast (RFC 4291)" };
  }
  return null;
}
