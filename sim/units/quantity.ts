/**
 * Kubernetes `resource.Quantity` parsing and canonical formatting.
 *
 * Semantics follow k8s.io/apimachinery pkg/api/resource (quantity.go, suffix.go,
 * amount.go, scale_int.go), re-expressed here; no upstream code is copied.
 *
 *   quantity ::= [+-] number suffix
 *   number   ::= digits | digits "." | digits "." digits | "." digits
 *   suffix   ::= binary SI   Ki Mi Gi Ti Pi Ei              (powers of 2^10)
 *              | decimal SI  n u m "" k M G T P E            (powers of 10^3)
 *              | exponent    ("e" | "E") [+-] digits          (power of ten)
 *
 * Note "E" alone is the exa suffix (10^18); "1E3" is an exponent.
 *
 * The value is held exactly as a signed BigInt count of nano-units (1e-9).
 * Like upstream, a non-zero value with precision finer than 1n is rounded up
 * in magnitude to the next nano-unit ("0.1n" -> 1n, "-0.1n" -> -1n), and a
 * BinarySI value is capped at 2^63-1 in magnitude. No floating point is used.
 */

export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

export class QuantityError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
    this.name = "QuantityError";
  }
}

export interface Quantity {
  /** The string that was parsed (for number input: its shortest decimal form). */
  readonly text: string;
  /** Exact value in units of 1e-9 (nano), magnitude rounded up like upstream. */
  readonly nanos: bigint;
  /** Suffix family of the input; used only for canonical formatting. */
  readonly format: QuantityFormat;
}

const DECIMAL_SI = new Map<string, number>([
  ["n", -9], ["u", -6], ["m", -3], ["", 0], ["k", 3],
  ["M", 6], ["G", 9], ["T", 12], ["P", 15], ["E", 18],
]);
const DECIMAL_SI_BY_EXP = new Map<number, string>([...DECIMAL_SI].map(([s, e]) => [e, s]));
const BINARY_SI = new Map<string, number>([
  ["Ki", 10], ["Mi", 20], ["Gi", 30], ["Ti", 40], ["Pi", 50], ["Ei", 60],
]);
const BINARY_SI_BY_POWER = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

const NUMBER_RE = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))([^]*)$/;
const EXPONENT_RE = /^[eE]([+-]?\d+)$/;
const INT32_MAX = 2 ** 31 - 1;
/** Parsed values must have at most this many integer digits (far beyond int64). */
const MAX_INTEGER_DIGITS = 40;

const NANO = 1_000_000_000n;
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANO; // upstream caps BinarySI at max int64
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

const GRAMMAR_HELP =
  "expected an optional sign, a decimal number (e.g. 1, 0.5, .5, 2.) and an optional suffix: " +
  "binary Ki|Mi|Gi|Ti|Pi|Ei, decimal n|u|m|k|M|G|T|P|E, or an exponent e<int>/E<int> (e.g. 1e3, 5E-3)";

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** ceil(n / d) for d > 0. BigInt division truncates toward zero. */
function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n > 0n ? q + 1n : q;
}

/** Parse a Kubernetes quantity string (or a YAML number) exactly. Throws QuantityError. */
export function parseQuantity(input: string | number): Quantity {
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) {
      throw new QuantityError(String(input), `invalid quantity ${String(input)}: must be a finite number`);
    }
    text = String(input); // shortest round-trip decimal, e.g. 0.1 -> "0.1", 1e21 -> "1e+21"
  } else if (typeof input === "string") {
    text = input;
  } else {
    throw new QuantityError(String(input), `invalid quantity: expected a string or number, got ${typeof input}`);
  }

  const m = NUMBER_RE.exec(text);
  if (m === null) {
    throw new QuantityError(text, `invalid quantity ${JSON.stringify(text)}: ${GRAMMAR_HELP}`);
  }
  const negative = m[1] === "-";
  const intDigits = m[2] ?? "";
  const fracDigits = m[3] ?? m[4] ?? "";
  const suffix = m[5];

  let format: QuantityFormat;
  let exp10 = 0; // value = number * 10^exp10 * 2^exp2
  let exp2 = 0;
  const dec = DECIMAL_SI.get(suffix);
  const bin = BINARY_SI.get(suffix);
  const expMatch = EXPONENT_RE.exec(suffix);
  if (dec !== undefined) {
    format = "DecimalSI";
    exp10 = dec;
  } else if (bin !== undefined) {
    format = "BinarySI";
    exp2 = bin;
  } else if (expMatch !== null) {
    format = "DecimalExponent";
    exp10 = Number(expMatch[1]);
    if (!(Math.abs(exp10) <= INT32_MAX)) {
      throw new QuantityError(text, `invalid quantity ${JSON.stringify(text)}: exponent out of range`);
    }
  } else {
    throw new QuantityError(
      text,
      `invalid quantity ${JSON.stringify(text)}: unknown suffix ${JSON.stringify(suffix)}; ${GRAMMAR_HELP}`,
    );
  }

  const digits = (intDigits + fracDigits).replace(/^0+/, "");
  let nanos = 0n;
  if (digits.length > 0) {
    // |value| * 1e9 = digits * 10^shift * 2^exp2
    const shift = exp10 - fracDigits.length + 9;
    if (digits.length + shift - 9 > MAX_INTEGER_DIGITS) {
      throw new QuantityError(text, `quantity ${JSON.stringify(text)} is too large`);
    }
    const scaled = BigInt(digits) << BigInt(exp2);
    if (shift >= 0) {
      nanos = scaled * pow10(shift);
    } else if (-shift > digits.length + 19) {
      nanos = 1n; // below 1n even with the largest binary factor (2^60 < 10^19): round up
    } else {
      nanos = ceilDiv(scaled, pow10(-shift)); // round magnitude up to a whole nano
    }
    if (format === "BinarySI") {
      if (nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS;
      if (nanos < NANO) format = "DecimalSI"; // 0 < |v| < 1 is emitted as DecimalSI
    }
    if (negative) nanos = -nanos;
  }
  return { text, nanos, format };
}

export function isNegative(q: Quantity): boolean {
  return q.nanos < 0n;
}

function toSafeNumber(q: Quantity, v: bigint, what: string): number {
  if (v > SAFE_MAX || v < -SAFE_MAX) {
    throw new QuantityError(
      q.text,
      `quantity ${JSON.stringify(q.text)} is too large: ${what} ${v} exceeds Number.MAX_SAFE_INTEGER`,
    );
  }
  return Number(v);
}

/** ceil(value * 1000), like upstream MilliValue(). Throws if not a safe integer. */
export function quantityMilliValue(q: Quantity): number {
  return toSafeNumber(q, ceilDiv(q.nanos, 1_000_000n), "milli-value");
}

/** ceil(value), like upstream Value(). Throws if not a safe integer. */
export function quantityValue(q: Quantity): number {
  return toSafeNumber(q, ceilDiv(q.nanos, NANO), "value");
}

/**
 * Parsed inputs, by conversion: a cluster repeats a handful of request strings ("100m",
 * "128Mi") and YAML numbers (`pods: 110`) across every pod and node, so the exact BigInt parse
 * runs once per distinct input. Bounded, since quantities can come from user data (cleared when
 * full; errors are never cached).
 */
const MEMO_LIMIT = 4096;
const milliMemo = new Map<string | number, number>();
const valueMemo = new Map<string | number, number>();

function memoized(memo: Map<string | number, number>, input: string | number, convert: (q: Quantity) => number): number {
  let v = memo.get(input);
  if (v === undefined) {
    v = convert(parseQuantity(input));
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(input, v);
  }
  return v;
}

export function parseCpuMillis(input: string | number): number {
  return memoized(milliMemo, input, quantityMilliValue);
}

export function parseBytes(input: string | number): number {
  return memoized(valueMemo, input, quantityValue);
}

/**
 * Canonical string, like upstream Quantity.String(): no fractional digits, largest
 * exponent that keeps the value exact, suffix family taken from `format`.
 */
export function formatQuantity(q: Pick<Quantity, "nanos" | "format">): string {
  const { nanos, format } = q;
  if (nanos === 0n) return "0";
  const sign = nanos < 0n ? "-" : "";
  let mag = nanos < 0n ? -nanos : nanos;

  // BinarySI is used only for whole values >= 1024 in magnitude; otherwise DecimalSI.
  if (format === "BinarySI" && mag >= 1024n * NANO && mag % NANO === 0n) {
    let units = mag / NANO;
    let power = 0;
    while (power < BINARY_SI_BY_POWER.length - 1 && units % 1024n === 0n) {
      units /= 1024n;
      power++;
    }
    return sign + units.toString() + BINARY_SI_BY_POWER[power];
  }

  // Decimal: move factors of ten into the exponent, then lower it to a multiple of 3.
  let exp = -9;
  while (mag % 10n === 0n) {
    mag /= 10n;
    exp++;
  }
  while (exp % 3 !== 0) {
    mag *= 10n;
    exp--;
  }
  if (format === "DecimalExponent") {
    return sign + mag.toString() + (exp === 0 ? "" : `e${exp}`);
  }
  if (exp > 18) {
    // Upstream has no suffix above E (and would drop it); stay exact with "E".
    mag *= pow10(exp - 18);
    exp = 18;
  }
  return sign + mag.toString() + DECIMAL_SI_BY_EXP.get(exp);
}

function requireSafeInteger(n: number, what: string): bigint {
  if (!Number.isSafeInteger(n)) {
    throw new QuantityError(String(n), `${what} must be a safe integer, got ${String(n)}`);
  }
  return BigInt(n);
}

/** Millicores as a canonical DecimalSI string: 100 -> "100m", 2000 -> "2", 1500 -> "1500m". */
export function formatCpuMillis(m: number): string {
  return formatQuantity({ nanos: requireSafeInteger(m, "millicores") * 1_000_000n, format: "DecimalSI" });
}

/** Bytes as a canonical BinarySI string: 2147483648 -> "2Gi", 1536 -> "1536", 1000 -> "1k". */
export function formatBytes(b: number): string {
  return formatQuantity({ nanos: requireSafeInteger(b, "bytes") * NANO, format: "BinarySI" });
}
