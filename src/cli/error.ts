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
