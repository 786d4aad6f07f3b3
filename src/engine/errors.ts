/** An invalid config or rule options: reported before linting; the CLI exits 2. */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** The config file, when the error comes from one. */
    public readonly filePath?: string,
    /** 1-based line in that file, when known. */
    public readonly line?: number,
    /** 1-based column in that file, when known. */
    public readonly column?: number,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A usage error of the CLI (unknown flag, missing argument): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
