import type { JsonPath } from '../parsers/json/index.js';
import type { FixSegment } from './fix.js';

/** Fact types a policy can name, with the design's names for two of them. */
export const FACT_SUBJECTS = {
  SnatPoint: 'SnatPoint',
  Interface: 'Interface',
  Host: 'Host',
  ConntrackStats: 'ConntrackTotals',
  ConntrackTotals: 'ConntrackTotals',
  Sysctl: 'SysctlValue',
  SysctlValue: 'SysctlValue',
} as const;

export type FactSubjectName = keyof typeof FACT_SUBJECTS;

/** A Kubernetes selector as written: a string (`/regex/flags` for a pattern) or a list of them. */
export type KubernetesSelector = string | string[];

/** What a policy applies to (exactly one key). */
export type PolicySubject =
  | { kind: 'cni' | 'docker-daemon' | 'kubernetes' | 'mesos' }
  | { kubernetes: { apiVersion?: KubernetesSelector; kind?: KubernetesSelector; name?: KubernetesSelector; namespace?: KubernetesSelector } }
  | { iptables: 'rule' }
  | { fact: FactSubjectName };

/** A policy document, as validated against `schemas/netlint-policy.schema.json`. */
export interface Policy {
  id: string;
  description: string;
  severity: 'warn' | 'error';
  category?: 'correctness' | 'security' | 'reliability' | 'performance' | 'style' | 'nursery';
  docs?: string;
  subject: PolicySubject;
  where?: Record<string, unknown> | boolean;
  require?: Record<string, unknown> | boolean;
  forbid?: Record<string, unknown> | boolean;
  message: string;
  fix?: { path: string | FixSegment[]; value: unknown; message?: string };
}

/** Where a policy object came from, so errors in it can be located. */
export interface PolicySourceInfo {
  /** The policy file. */
  filePath?: string;
  /**
   * The 1-based position of the value at `path` of the policy object (or of its key, for
   * `target: 'key'`), when the object was read from text.
   */
  locate?(path: JsonPath, target: 'key' | 'value'): { line: number; column: number } | undefined;
}
