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
      --fix                 apply safe fixes and write the files (atomically); files
                            that would no longer parse are left alone
      --fix-dry-run         compute fixes without writing (JSON output gets "output")
      --fix-rule ID         only apply fixes of these rules (repeatable)
      --fix-type CATEGORY   only apply fixes of rules in these categories (correctness,
                            security, reliability, performance, style, nursery)
      --quiet               report errors only
      --max-warnings N      exit 1 when there are more than N warnings
      --color, --no-color   force colours on or off (NO_COLOR is honoured)
  -v, --version             print the version
  -h, --help                print this help

Commands:
  lint      lint files (default)
  parse     print the parsed model of a file as JSON
  rules     list the rules
  explain   print a rule's documentation

Exit codes: 0 no errors, 1 errors found (or too many warnings), 2 usage, config or
internal failure.`,
  parse: `Usage: netlint parse FILE [--kind KIND]
       netlint parse --stdin (--kind KIND | --stdin-filename PATH)

Prints what rules and policies see: the parsed documents of FILE as JSON, with the
offset range of every node, and any parse errors.`,
  rules: `Usage: netlint rules [--format table|json]

Lists every rule with its input kinds, category, whether it fixes, and its default
severity in netlint:recommended.`,
  explain: `Usage: netlint explain RULE-ID

Prints the rule's README: why it exists, examples, fix, options, references.`,
};
