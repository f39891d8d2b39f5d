/**
 * Writes output files so that a failure never leaves half of one: every file is first written to a
 * temporary name in the same directory, and only when all are complete are they renamed into
 * place (rename is atomic within a file system). On any error the temporaries are removed.
 *
 * A file too large to hold in memory (events.jsonl of a large run) is a {@link StagedFile}: it is
 * appended to its temporary while the run goes, and renamed into place with the others.
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join, basename } from "node:path";

export type OutputFile =
  | {
      /** Path relative to the output directory. */
      name: string;
      content: string | Buffer;
    }
  | { name: string; staged: StagedFile };

/** The temporary a file is written to before it is renamed to `final`. */
function temporaryFor(final: string): string {
  return join(dirname(final), `.${basename(final)}.tmp-${process.pid}`);
}

/** The files simk run writes into an output directory: their abandoned temporaries are swept. */
const RUN_OUTPUTS = ["summary.json", "events.jsonl", "timeseries.csv", "decisions.jsonl", "report.html"];

/**
 * Removes the temporaries of `final`, and of simk's other outputs in its directory, left by
 * processes that no longer run: a run interrupted by a signal (Ctrl-C) exits without its exit
 * hooks, and a StagedFile's temporary can be large (decisions.jsonl: hundreds of MB).
 */
function removeAbandoned(final: string): void {
  const prefixes = [...new Set([basename(final), ...RUN_OUTPUTS])].map((n) => `.${n}.tmp-`);
  let names: string[];
  try {
    names = readdirSync(dirname(final));
  } catch {
    return;
  }
  for (const name of names) {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (prefix === undefined) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isRunning(pid)) rmSync(join(dirname(final), name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Temporaries still open, removed if the process exits before they are committed or discarded. */
const open = new Set<StagedFile>();
let exitHookInstalled = false;

/**
 * An output file written in pieces to its temporary (buffered, synchronously: the simulation runs
 * without yielding to the event loop). Hand it to {@link writeFilesAtomically} to commit it with
 * the other outputs, or {@link discard} it.
 */
export class StagedFile {
  readonly final: string;
  readonly tmp: string;
  private fd: number | undefined;
  private buffer: string[] = [];
  private buffered = 0;

  constructor(
    dir: string,
    readonly name: string,
  ) {
    this.final = join(dir, name);
    mkdirSync(dirname(this.final), { recursive: true });
    this.tmp = temporaryFor(this.final);
    removeAbandoned(this.final);
    this.fd = openSync(this.tmp, "w");
    open.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once("exit", () => {
        for (const f of open) f.discard();
      });
    }
  }

  /** Appends `text` (flushed to the temporary in blocks of about 1 MiB). */
  write(text: string): void {
    if (this.fd === undefined) throw new Error(`${this.final}: written after it was closed`);
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered >= 1 << 20) this.flush();
  }

  /** Flushes and closes the temporary (idempotent); it stays until renamed or discarded. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** Closes and removes the temporary. */
  discard(): void {
    try {
      if (this.fd !== undefined) closeSync(this.fd);
    } finally {
      this.fd = undefined;
      rmSync(this.tmp, { force: true });
      open.delete(this);
    }
  }

  /** Called by writeFilesAtomically once the temporary has been renamed into place. */
  committed(): void {
    open.delete(this);
  }

  private flush(): void {
    if (this.buffered === 0 || this.fd === undefined) return;
    writeSync(this.fd, this.buffer.join(""));
    this.buffer = [];
    this.buffered = 0;
  }
}

/**
 * Writes `files` into `dir`, all or none: each goes to its temporary first (a StagedFile already
 * has one), then all are renamed into place. On an error every temporary is removed, StagedFiles'
 * too. Returns the final paths.
 */
export function writeFilesAtomically(dir: string, files: readonly OutputFile[]): string[] {
  mkdirSync(dir, { recursive: true });
  const staged: { tmp: string; final: string; file?: StagedFile }[] = [];
  try {
    for (const f of files) {
      if ("staged" in f) {
        f.staged.close();
        staged.push({ tmp: f.staged.tmp, final: f.staged.final, file: f.staged });
        continue;
      }
      const final = join(dir, f.name);
      mkdirSync(dirname(final), { recursive: true });
      const tmp = temporaryFor(final);
      staged.push({ tmp, final });
      writeFileSync(tmp, f.content);
    }
    for (const s of staged) {
      renameSync(s.tmp, s.final);
      s.file?.committed();
    }
  } catch (err) {
    for (const s of staged) {
      if (s.file) s.file.discard();
      else rmSync(s.tmp, { force: true });
    }
    for (const f of files) if ("staged" in f) f.staged.discard();
    throw err;
  }
  return staged.map((s) => s.final);
}
