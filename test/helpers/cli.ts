/** Harness for tests that run simk's CLI in-process: scratch directories and captured stdout/stderr. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, vi } from "vitest";

/** Makes a fresh directory under the OS temp dir; `removeAfterAll` adds a path made some other way. */
export interface TempDirFactory {
  (): string;
  removeAfterAll(path: string): void;
}

/**
 * Call at module level. Returns a function that makes a new temporary directory named `prefix…`
 * each time it is called; every one of them is removed after the file's tests have run.
 */
export function useTempDirs(prefix: string): TempDirFactory {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  return Object.assign(tempDir, { removeAfterAll: (path: string) => void dirs.push(path) });
}

/** What the process wrote to stdout (`out`) and stderr (`err`) during the current test; assign "" to start over. */
export interface CapturedOutput {
  out: string;
  err: string;
}

/**
 * Call at module level. Before each test, starts capturing (and so silencing) writes to
 * process.stdout and process.stderr; after each, restores all mocks and unstubs all environment
 * variables set with vi.stubEnv.
 */
export function captureOutput(): CapturedOutput {
  const captured: CapturedOutput = { out: "", err: "" };
  beforeEach(() => {
    captured.out = "";
    captured.err = "";
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((captured.out += String(s)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((captured.err += String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  return captured;
}
