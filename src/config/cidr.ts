import { FAMILY_BITS, formatAddress, parseAddress, parseCidr, parseMaskedAddress } from '../net/cidr.js';

/**
 * Checks a network as written in `settings.internalNetworks`: a CIDR (`10.0.0.0/8`,
 * `fd00::/8`), a single address, or a range `a-b`, as `parseCidr` reads them. A CIDR with host
 * bits set (`10.1.2.3/8`) is refused: it is almost always a typo for the network. Returns what
 * is wrong, or undefined when valid.
 */
export function cidrProblem(text: string): string | undefined {
  if (text !== text.trim()) return 'white space around the value';
  const slash = text.indexOf('/');
  if (slash !== -1) {
    const addressText = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const address = parseAddress(addressText);
    if (!address) return `"${addressText}" is not an IPv4 or IPv6 address`;
    const bits = FAMILY_BITS[address.family];
    if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) return `the prefix length "${prefixText}" is not a number from 0 to ${bits}`;
    const masked = parseMaskedAddress(text);
    if (!masked) return 'expected a CIDR such as 10.0.0.0/8 or fd00::/8';
    const network = masked.address & masked.mask;
    if (network !== masked.address) return `host bits are set; the network is ${formatAddress(masked.family, network)}/${prefixText}`;
    return undefined;
  }
  return parseCidr(text) ? undefined : 'expected a CIDR such as 10.0.0.0/8 or fd00::/8';
}
