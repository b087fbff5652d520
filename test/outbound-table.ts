/**
 * One table of outbound URLs for every place Redline sends a request: article URLs, each
 * redirect hop, and webhook URLs. `src/fetching/url.test.ts` runs it against `refusalReason`,
 * `test/outbound.test.ts` against the API, the fetcher and the webhook consumer.
 *
 * `names` is what the refusal must contain: the range in CIDR form, or the rule for a name.
 */
export interface OutboundCase {
  name: string;
  url: string;
  names: string;
}

/** Refused always, also with ALLOW_LOOPBACK=true. */
export const ALWAYS_REFUSED: readonly OutboundCase[] = [
  // IANA IPv4 Special-Purpose Address Registry, and the address space registry's multicast block.
  { name: '"this network"', url: "http://0.0.0.0/", names: "0.0.0.0/8" },
  { name: '"this network" written as the number 0', url: "http://0/", names: "0.0.0.0/8" },
  { name: "private-use 10/8", url: "http://10.0.0.1/", names: "10.0.0.0/8" },
  { name: "private-use 10/8 written in decimal", url: "http://167772161/", names: "10.0.0.0/8" },
  { name: "private-use 10/8 written in octal", url: "http://012.0.0.1/", names: "10.0.0.0/8" },
  { name: "shared address space (carrier-grade NAT)", url: "http://100.64.0.1/", names: "100.64.0.0/10" },
  { name: "the top of the shared address space", url: "http://100.127.255.254/", names: "100.64.0.0/10" },
  { name: "the link-local metadata address", url: "http://169.254.169.254/latest/meta-data", names: "169.254.0.0/16" },
  { name: "the link-local metadata address written in hex", url: "http://0xa9fea9fe/", names: "169.254.0.0/16" },
  { name: "the link-local metadata address written in decimal", url: "http://2852039166/", names: "169.254.0.0/16" },
  { name: "private-use 172.16/12", url: "http://172.16.5.4/", names: "172.16.0.0/12" },
  { name: "the top of private-use 172.16/12", url: "http://172.31.255.255/", names: "172.16.0.0/12" },
  { name: "IETF protocol assignments", url: "http://192.0.0.170/", names: "192.0.0.0/24" },
  { name: "documentation TEST-NET-1", url: "http://192.0.2.1/", names: "192.0.2.0/24" },
  { name: "AS112-v4", url: "http://192.31.196.1/", names: "192.31.196.0/24" },
  { name: "AMT", url: "http://192.52.193.1/", names: "192.52.193.0/24" },
  { name: "the deprecated 6to4 relay anycast block", url: "http://192.88.99.1/", names: "192.88.99.0/24" },
  { name: "private-use 192.168/16 with a port", url: "http://192.168.1.1:8080/", names: "192.168.0.0/16" },
  { name: "direct delegation AS112", url: "http://192.175.48.1/", names: "192.175.48.0/24" },
  { name: "benchmarking", url: "http://198.19.255.1/", names: "198.18.0.0/15" },
  { name: "documentation TEST-NET-2", url: "http://198.51.100.7/", names: "198.51.100.0/24" },
  { name: "documentation TEST-NET-3", url: "http://203.0.113.9/", names: "203.0.113.0/24" },
  { name: "multicast", url: "http://224.0.0.251/", names: "224.0.0.0/4" },
  { name: "the top of multicast", url: "http://239.255.255.250/", names: "224.0.0.0/4" },
  { name: "reserved 240/4", url: "http://240.0.0.1/", names: "240.0.0.0/4" },
  { name: "limited broadcast", url: "http://255.255.255.255/", names: "255.255.255.255/32" },
  // IANA IPv6 Special-Purpose Address Registry, and the address space registry's other blocks.
  { name: "the unspecified IPv6 address", url: "http://[::]/", names: "::/128" },
  { name: "an IPv4-mapped private address, judged by the IPv4 address", url: "http://[::ffff:10.0.0.1]/", names: "10.0.0.0/8" },
  { name: "an IPv4-mapped metadata address", url: "http://[::ffff:169.254.169.254]/", names: "169.254.0.0/16" },
  { name: "an IPv4-translated address", url: "http://[::ffff:0:a9fe:a9fe]/", names: "::ffff:0:0:0/96" },
  { name: "NAT64 of the metadata address", url: "http://[64:ff9b::a9fe:a9fe]/", names: "64:ff9b::/96" },
  { name: "NAT64 of a loopback address", url: "http://[64:ff9b::7f00:1]/", names: "64:ff9b::/96" },
  { name: "local-use NAT64", url: "http://[64:ff9b:1::a9fe:a9fe]/", names: "64:ff9b:1::/48" },
  { name: "discard-only", url: "http://[100::1]/", names: "100::/64" },
  { name: "the dummy IPv6 prefix", url: "http://[100:0:0:1::1]/", names: "100:0:0:1::/64" },
  { name: "IETF protocol assignments (IPv6)", url: "http://[2001:5::1]/", names: "2001::/23" },
  { name: "Teredo", url: "http://[2001::a9fe:a9fe]/", names: "2001::/32" },
  { name: "IPv6 benchmarking", url: "http://[2001:2::1]/", names: "2001:2::/48" },
  { name: "IPv6 documentation 2001:db8::/32", url: "http://[2001:db8::1]/", names: "2001:db8::/32" },
  { name: "6to4 of the metadata address", url: "http://[2002:a9fe:a9fe::1]/", names: "2002::/16" },
  { name: "direct delegation AS112 (IPv6)", url: "http://[2620:4f:8000::1]/", names: "2620:4f:8000::/48" },
  { name: "IPv6 documentation 3fff::/20", url: "http://[3fff::1]/", names: "3fff::/20" },
  { name: "SRv6 segment identifiers", url: "http://[5f00::1]/", names: "5f00::/16" },
  { name: "unique-local fd00::", url: "http://[fd00::1]/", names: "fc00::/7" },
  { name: "unique-local fc00::", url: "http://[fc00::1]/", names: "fc00::/7" },
  { name: "IPv6 link-local", url: "http://[fe80::1]/", names: "fe80::/10" },
  { name: "IPv6 site-local", url: "http://[fec0::1]/", names: "fec0::/10" },
  { name: "IPv6 multicast", url: "http://[ff02::1]/", names: "ff00::/8" },
  { name: "an IPv4-compatible address of a private one", url: "http://[::a00:1]/", names: "::/96" },
  { name: "an IPv4-compatible address of a public one", url: "http://[::808:808]/", names: "::/96" },
  { name: "IPv6 outside global unicast 2000::/3", url: "http://[4000::1]/", names: "2000::/3" },
  // Names no public site has, which a local resolver or hosts file may point anywhere.
  { name: "a single-label name", url: "http://vm/", names: "single-label" },
  { name: "a single-label name with a port", url: "http://intranet:8080/", names: "single-label" },
  { name: "a single-label name with a trailing dot", url: "http://vm./", names: "single-label" },
  { name: "an mDNS .local name", url: "http://printer.local/", names: ".local" },
  { name: "an mDNS .local name with a trailing dot", url: "http://printer.local./", names: ".local" },
  { name: "a .internal name", url: "http://metadata.google.internal/computeMetadata/v1/", names: ".internal" },
  { name: "a .home.arpa name", url: "http://router.home.arpa/", names: ".home.arpa" },
  { name: "a .lan name", url: "http://nas.lan/", names: ".lan" },
  { name: "a .corp name", url: "http://wiki.corp/", names: ".corp" },
  { name: "an .invalid name", url: "http://news.invalid/", names: ".invalid" },
  { name: "an .example name", url: "http://www.example/", names: ".example" },
  { name: "an .onion name", url: "http://news.onion/", names: ".onion" },
  { name: "a name with an empty label", url: "http://localhost../", names: "empty label" },
];

/** Loopback: refused unless ALLOW_LOOPBACK=true (local development, tests, the scale benchmark's 127.0.0.x hosts). */
export const LOOPBACK: readonly OutboundCase[] = [
  { name: "localhost", url: "http://localhost/a", names: "localhost" },
  { name: "localhost with a trailing dot", url: "http://localhost./a", names: "localhost" },
  { name: "LOCALHOST in capitals with a port", url: "http://LOCALHOST:8788/a", names: "localhost" },
  { name: "a .localhost name", url: "http://app.localhost/a", names: "localhost" },
  { name: "a .localhost name with a trailing dot", url: "http://app.localhost./a", names: "localhost" },
  { name: "127.0.0.1 with a port", url: "http://127.0.0.1:8788/a", names: "127.0.0.0/8" },
  { name: "another loopback host", url: "http://127.0.0.2/a", names: "127.0.0.0/8" },
  { name: "the top of 127/8", url: "http://127.255.255.254/a", names: "127.0.0.0/8" },
  { name: "loopback written in decimal", url: "http://2130706433/a", names: "127.0.0.0/8" },
  { name: "loopback written in hex", url: "http://0x7f.1/a", names: "127.0.0.0/8" },
  { name: "loopback written in octal", url: "http://017700000001/a", names: "127.0.0.0/8" },
  { name: "loopback in short form", url: "http://127.1/a", names: "127.0.0.0/8" },
  { name: "loopback with ideographic full stops", url: "http://127。0。0。1/a", names: "127.0.0.0/8" },
  { name: "IPv6 loopback", url: "http://[::1]/a", names: "::1/128" },
  { name: "IPv6 loopback written in full", url: "http://[0:0:0:0:0:0:0:1]/a", names: "::1/128" },
  { name: "IPv4-mapped loopback", url: "http://[::ffff:127.0.0.1]/a", names: "127.0.0.0/8" },
  { name: "IPv4-mapped loopback in hex", url: "http://[::ffff:7f00:2]/a", names: "127.0.0.0/8" },
  { name: "IPv4-compatible loopback", url: "http://[::7f00:1]/a", names: "127.0.0.0/8" },
];

/** RFC 6761 testing names: refused unless ALLOW_LOOPBACK=true, where the fixtures live under them. */
export const TEST_NAMES: readonly OutboundCase[] = [
  { name: "a .test name", url: "https://fixtures.redline.test/articles/plain.html", names: ".test" },
  { name: "a .test name with a trailing dot", url: "https://fixtures.redline.test./articles/plain.html", names: ".test" },
];

/** Public hosts: allowed with and without ALLOW_LOOPBACK. */
export const ALLOWED: readonly OutboundCase[] = [
  { name: "a news site", url: "https://english.hani.co.kr/arti/1.html", names: "" },
  { name: "a news site with a trailing dot and capitals", url: "https://EN.YNA.co.kr./view/1", names: "" },
  { name: "a public domain under example.com", url: "https://www.example.com/hooks", names: "" },
  { name: "an internationalised name", url: "https://한겨레.kr/a", names: "" },
  { name: "a public IPv4 address", url: "http://8.8.8.8/", names: "" },
  { name: "the address just past 172.16/12", url: "http://172.32.0.1/", names: "" },
  { name: "the address just past the shared address space", url: "http://100.128.0.1/", names: "" },
  { name: "the address just past 192.0.0/24", url: "http://192.0.1.1/", names: "" },
  { name: "the address just past benchmarking", url: "http://198.20.0.1/", names: "" },
  { name: "the address just below multicast", url: "http://223.255.255.255/", names: "" },
  { name: "a public IPv6 address", url: "http://[2606:4700:4700::1111]/", names: "" },
  { name: "the address just past 2001::/23", url: "http://[2001:200::1]/", names: "" },
  { name: "an IPv4-mapped public address", url: "http://[::ffff:8.8.8.8]/", names: "" },
];

/** `[name, url, names]` rows, for `it.each` test names that show the whole URL. */
export function rows(table: readonly OutboundCase[]): Array<[string, string, string]> {
  return table.map(({ name, url, names }) => [name, url, names]);
}
