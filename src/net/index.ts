export {
  FAMILY_BITS,
  formatAddress,
  formatRange,
  maskOfPrefix,
  maxAddress,
  parseAddress,
  parseCidr,
  parseIpv4,
  parseIpv6,
  parseMaskedAddress,
  prefixOfMask,
  rangeToCidrs,
} from './cidr.js';
export type { AddressRange, IpFamily, MaskedAddress, ParsedAddress } from './cidr.js';
export { AddressSet, describeAddressSet } from './range-set.js';
export { analyseNatFlow, analyseNatTable, interfaceMatches, restrictBoxes } from './chain-flow.js';
export type {
  AddressBox,
  ChainFlowNote,
  ChainFlowOptions,
  ChainFlowResult,
  FlowCondition,
  InterfaceCondition,
  ProtocolCondition,
  SnatFlow,
} from './chain-flow.js';
