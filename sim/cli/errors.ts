/** Errors the command line reports as usage errors (exit 2, no stack trace). */

/** A user mistake found outside the scenario loader (a flag value, an output directory). */
export class UsageError extends Error {}
