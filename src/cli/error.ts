// The one way a command ends early: a message already worded as the tool it
// mirrors words it, and the exit status that tool would give.

/** Ends a command with a message and an exit status (`nlkit ip`: 255 for bad arguments, as ip's exit(-1); `nlkit ynl`: 2 for usage, 1 for failures). */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 255,
  ) {
    super(message);
  }
}

/** A message for stderr whatever the status: tc's usage() prints there and exits 0. */
export class StderrExit extends CommandError {}

/** Where the ip-style commands print a CommandError: stdout for status 0 (help text), else stderr; one line at least. */
export function printCommandError(err: CommandError, io: { stdout: (text: string) => void; stderr: (text: string) => void }): void {
  if (!err.message) return;
  const out = err.exitCode === 0 && !(err instanceof StderrExit) ? io.stdout : io.stderr;
  out(err.message.endsWith('\n') ? err.message : err.message + '\n');
}
