/**
 * Durations written as Go's time.ParseDuration accepts them ("90s", "1m30s", "1h30m", "250ms",
 * "1.5h", "2us"/"2µs", "0") — the syntax Kubernetes uses for every duration flag and field.
 * A bare number is taken as seconds, since YAML authors often write `duration: 600`.
 */

const UNIT_MICROS: Record<string, number> = {
  ns: 0.001,
  us: 1,
  "µs": 1,
  "μs": 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

export class DurationError extends Error {
  constructor(readonly input: string, message: string) {
    super(message);
    this.name = "DurationError";
  }
}

const PART = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/** Parses a Go-style duration into integer microseconds (rounded to the nearest µs). */
export function parseDuration(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) {
      throw new DurationError(String(input), `invalid duration ${input}: a number of seconds must be finite and ≥ 0`);
    }
    return Math.round(input * 1_000_000);
  }
  const text = input.trim();
  if (text === "0") return 0;
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest[0] === "-" ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "") throw invalid(input);
  let total = 0;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m) throw invalid(input);
    total += Number(m[1]) * UNIT_MICROS[m[2]];
    rest = rest.slice(m[0].length);
  }
  if (sign < 0) {
    throw new DurationError(input, `invalid duration "${input}": must not be negative`);
  }
  return Math.round(total);
}

function invalid(input: string): DurationError {
  return new DurationError(
    input,
    `invalid duration "${input}": expected a Go duration such as 90s, 5m, 1h30m or 250ms (units ns, us, ms, s, m, h), or a number of seconds`,
  );
}

/** Formats microseconds the way Go's Duration.String() does for whole units ("1m30s", "250ms"). */
export function formatDuration(us: number): string {
  if (us === 0) return "0s";
  if (us < 1_000) return `${us}µs`;
  if (us < 1_000_000) return `${trim(us / 1_000)}ms`;
  let s = us / 1_000_000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let out = "";
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  out += `${trim(s)}s`;
  return out;
}

function trim(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}
