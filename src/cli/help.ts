/** `netlint --help` and per-command help texts. */
export const HELP: Record<string, string> = {
  lint: `Usage: netlint [lint] [paths...] [options]

Lints iptables/nft dumps, CNI configs, Docker daemon.json, Kubernetes manifests,
Mesos configs and node evidence (ethtool -k, conntrack -S, uname, sysctl).
Paths are files, directories (walked, skipping node_modules and .git) or globs;
default ".".

Options:
  -f, --format NAME[:FILE]  stylish (default), json, sarif, junit, github, checkstyle,
                            compact, an ESLint formatter package or a local module;
                            repeat for several outputs (--format stylish --format sarif:out.sarif)
  -o, --output-file FILE    write the (first) stdout format to FILE
      --kind KIND           force the input kind (iptables, nft, cni, docker-daemon,
                            kubernetes, mesos, ethtool-features, conntrack-stats,
                            snmp-counters, kernel, sysctl)
      --stdin               lint standard input (needs --kind or --stdin-filename)
      --stdin-filename PATH the path to report standard input as
      --ignore-unknown      skip named files of no known kind instead of reporting
                            unknown-input (for hooks that pass every changed file)
      --fix                 apply safe fixes and write the files (atomically); files
                            that would no longer parse are left alone
      --fix-dry-run         compute fixes without writing (JSON output gets "output")
      --fix-rule ID         only apply fixes of these rules (repeatable)
      --fix-type CATEGORY   only apply fixes of rules in these categories (correctness,
                            security, reliability, performance, style, nursery)
  -c, --config FILE         use only this config file (no lookup)
      --no-config-lookup    do not look for netlint.config.{yaml,yml,json,mjs} files
                            (without --config: netlint:recommended)
      --rule ID:SEVERITY    set a rule's severity (off, warn, error, 0-2), or
                            ID:["warn",{...}] with options; repeatable, wins over configs
      --report-unused-disable-directives
                            report unused netlint-disable directives as errors
      --report-unused-disable-directives-severity SEVERITY
                            their severity: off, warn (default) or error
      --baseline FILE       accept the findings recorded in FILE (they become suppressed);
                            lists entries that no longer match
      --baseline-prune      with --baseline: drop those entries from FILE
      --baseline-write FILE record the current findings in FILE (kept for files not linted)
      --cache               only lint files whose content, config or directory
                            siblings changed since the last --cache run (not with --fix)
      --cache-location PATH the cache file, or a folder for it (default .netlintcache)
      --quiet               report errors only
      --max-warnings N      exit 1 when there are more than N warnings
      --color, --no-color   force colours on or off (NO_COLOR is honoured)
  -v, --version             print the version
  -h, --help                print this help

Commands:
  lint      lint files (default)
  parse     print the parsed model of a file as JSON
  test-policies  run each policy of DIR against its pass/fail fixtures
  facts     print the facts rules reason about (SNAT points, interfaces, kernel...) as JSON
  rules     list the rules
  explain   print a rule's documentation
  print-config FILE
            print the config in force for FILE as JSON
  init      write a starter netlint.config.yaml for what this folder contains

Configuration: the nearest netlint.config.yaml (.yml, .json, .mjs) above each file,
or --config. Inline: # netlint-disable-next-line ID[, ID] -- reason,
# netlint-disable-line ID, # netlint-disable [IDS] ... # netlint-enable [IDS];
Kubernetes objects: annotation netlint.io/ignore: "ID,ID" (or "*").

Exit codes: 0 no errors, 1 errors found (or too many warnings), 2 usage, config or
internal failure.`,
  parse: `Usage: netlint parse FILE [--kind KIND]
       netlint parse --stdin (--kind KIND | --stdin-filename PATH)

Prints what rules and policies see: the parsed documents of FILE as JSON, with the
offset range of every node, and any parse errors.`,
  'test-policies': `Usage: netlint test-policies DIR

Runs every policy in DIR (DIR/<id>/policy.yaml) against its fixtures: files in
fixtures/pass/ must give no finding of the policy, files in fixtures/fail/ exactly the
findings in <fixture>.findings.json. Exit 1 when any fixture fails (like conftest verify).`,
  facts: `Usage: netlint facts [paths...] [--kind KIND]

Prints, per scope (directory), the facts netlint extracts from every file: SNAT points with
their engine, port selection and owner; interfaces with checksum offload state; the kernel;
conntrack counters; sysctls. Each fact names the file, line and column it came from.`,
  rules: `Usage: netlint rules [--format table|json] [--config FILE] [--no-config-lookup]

Lists every rule with its input kinds, category, whether it fixes, its default severity
in netlint:recommended, and its severity in the config in force here (CONFIG). Rules of
the plugins and policies that config loads are listed too.`,
  'print-config': `Usage: netlint print-config FILE [--config FILE] [--no-config-lookup]
                             [--rule ID:SEVERITY] [--kind KIND]

Prints the config in force for FILE as JSON (like ESLint's --print-config): rules with
their options, settings, linterOptions, plugins, policy files and the config files it
was read from. FILE need not exist; its folder picks the config, its name and content
the input kind (for overrides by kind; --kind forces it).`,
  init: `Usage: netlint init [--force]

Looks at the files under the current folder (as "netlint lint ." finds and recognises them)
and writes netlint.config.yaml: extends netlint:recommended, a commented
settings.internalNetworks, ignores for vendored code, test fixtures and unrendered Helm
templates it finds, and an override that makes errors warnings in example folders. Prints what
it found. Does not replace an existing config unless --force.`,
  explain: `Usage: netlint explain RULE-ID

Prints the rule's README: why it exists, examples, fix, options, references. For a rule
of a plugin or policy that the config in force here loads: its description and metadata.`,
};
