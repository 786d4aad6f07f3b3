import type {
  IptablesChain,
  IptablesDocument,
  IptablesMatch,
  IptablesRule,
  IptablesTable,
  IptablesTarget,
} from '../model/iptables.js';

/**
 * Node types rules can subscribe to, by `type` tag. Each input kind's model adds its nodes here.
 */
export interface NodeTypeMap {
  IptablesDocument: IptablesDocument;
  IptablesTable: IptablesTable;
  IptablesChain: IptablesChain;
  IptablesRule: IptablesRule;
  IptablesMatch: IptablesMatch;
  IptablesTarget: IptablesTarget;
}
