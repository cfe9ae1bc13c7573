// Failures that end a command, as values that carry their sysexits code.
// Workers cannot send Error subclasses across the thread boundary, so a
// PipelineError also round-trips through a plain object (toData/fromData).

export const ExitCode = {
  ok: 0,
  usage: 64, // bad flag, bad configuration, bad catalog
  dataErr: 65, // bad purchase data: too many bad lines, a log that shrank
  software: 70, // a bug or a worker that keeps failing
  ioErr: 74, // disk full, permissions
  tempFail: 75, // another run holds the lock; cron retries later
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorData {
  exitCode: ExitCodeValue;
  message: string;
  path?: string;
  line?: number;
  hint?: string;
}

export class PipelineError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly path?: string;
  readonly line?: number;
  readonly hint?: string;

  constructor(data: ErrorData, options?: { cause?: unknown }) {
    super(data.message, options);
    this.name = 'PipelineError';
    this.exitCode = data.exitCode;
    this.path = data.path;
    this.line = data.line;
    this.hint = data.hint;
  }

  toData(): ErrorData {
    const { exitCode, message, path, line, hint } = this;
    return { exitCode, message, path, line, hint };
  }

  static fromData(data: ErrorData): PipelineError {
    return new PipelineError(data);
  }

  /** One line for a terminal: `path:line: message (hint)`. */
  describe(): string {
    const where = this.path ? `${this.path}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${where}${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

export const usageError = (message: string, extra: Omit<ErrorData, 'exitCode' | 'message'> = {}) =>
  new PipelineError({ exitCode: ExitCode.usage, message, ...extra });

export const dataError = (message: string, extra: Omit<ErrorData, 'exitCode' | 'message'> = {}) =>
  new PipelineError({ exitCode: ExitCode.dataErr, message, ...extra });

/** A file of the pipeline's own state that cannot be read back (torn, damaged, unknown): exit 74, and how to rebuild it. */
export const unreadableState = (path: string, stateDir: string, err: unknown) =>
  new PipelineError(
    { exitCode: ExitCode.ioErr, message: `unreadable pipeline state (${(err as Error).message})`, path, hint: `move ${stateDir} aside and run \`rank-pipeline rerun\` to rebuild it from the logs` },
    { cause: err },
  );

const IO_CODES = new Set(['ENOSPC', 'EIO', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE', 'EBADF', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOENT']);

/** Maps a Node fs error to exit 74 naming the path; anything else stays as it is. */
export function asIoError(err: unknown, path?: string): unknown {
  if (err instanceof PipelineError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && IO_CODES.has(code)) {
    const where = path ?? (err as NodeJS.ErrnoException).path;
    return new PipelineError(
      { exitCode: ExitCode.ioErr, message: (err as Error).message.startsWith(code) ? (err as Error).message : `${code}: ${(err as Error).message}`, path: where },
      { cause: err },
    );
  }
  return err;
}

/** The exit code for anything thrown: PipelineError's own, fs errors 74, the rest 70. */
export function exitCodeOf(err: unknown): ExitCodeValue {
  const mapped = asIoError(err);
  return mapped instanceof PipelineError ? mapped.exitCode : ExitCode.software;
}
