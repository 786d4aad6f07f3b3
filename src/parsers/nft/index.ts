import type { KindParser } from '../types.js';
import { parseNft, walkNft } from './parser.js';

/** `nft list ruleset` output and `nft -f` files (transactions, as kube-proxy writes them). */
export const nftParser: KindParser = {
  kind: 'nft',
  parse: (source, filePath) => parseNft(source, filePath),
  walk: walkNft,
};
