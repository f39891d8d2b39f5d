import { describe, it, expect } from "vitest";
import {
  QuantityError,
  formatBytes,
  formatCpuMillis,
  formatQuantity,
  isNegative,
  parseBytes,
  parseCpuMillis,
  parseQuantity,
  quantityMilliValue,
  quantityValue,
  type QuantityFormat,
} from "../../sim/units/quantity.js";

// Rows marked "upstream" come from k8s.io/apimachinery pkg/api/resource/quantity_test.go
// (TestQuantityParse, TestQuantityString, TestQuantityParseEmit, TestParseQuantity) or
// quantity_example_test.go; rows marked "docs" from kubernetes.io resource-management pages.
// Expected values are worked out by hand; `nanos` is the exact value * 1e9.

const G = 1_000_000_000n; // nanos per unit
const Ki = 1024n;
const Mi = Ki * 1024n;
const Gi = Mi * 1024n;
const Ti = Gi * 1024n;
const Ei = Ti * 1024n * 1024n;

describe("parseQuantity: exact value and format", () => {
  const rows: Array<[input: string, nanos: bigint, format: QuantityFormat]> = [
    ["0", 0n, "DecimalSI"], // upstream
    ["0Ki", 0n, "BinarySI"], // upstream
    ["0m", 0n, "DecimalSI"], // upstream
    ["-0", 0n, "DecimalSI"],
    ["1", 1n * G, "DecimalSI"], // upstream
    ["1Ki", 1024n * G, "BinarySI"], // upstream
    ["7Mi", 7n * Mi * G, "BinarySI"], // upstream
    ["3Ei", 3n * Ei * G, "BinarySI"], // upstream: 3 * 2^60
    ["100Ti", 100n * Ti * G, "BinarySI"], // upstream
    ["5n", 5n, "DecimalSI"], // upstream
    ["4u", 4000n, "DecimalSI"], // upstream
    ["3m", 3_000_000n, "DecimalSI"], // upstream
    ["50k", 50_000n * G, "DecimalSI"], // upstream
    ["300T", 300n * 10n ** 12n * G, "DecimalSI"], // upstream
    ["1E", 10n ** 18n * G, "DecimalSI"], // upstream: bare E is exa, not an exponent
    ["12E", 12n * 10n ** 18n * G, "DecimalSI"], // upstream: beyond int64, still parses
    ["1E-3", 1_000_000n, "DecimalExponent"], // upstream: 10^-3 = 1e6 nanos
    ["1e3", 1000n * G, "DecimalExponent"], // upstream
    ["1.3E+6", 1_300_000n * G, "DecimalExponent"], // upstream: 13 * 10^5
    ["1.53E12", 1_530_000_000_000n * G, "DecimalExponent"], // upstream: 153 * 10^10
    ["0.5e-2", 5_000_000n, "DecimalExponent"], // upstream: 0.005 = 5e6 nanos
    ["100.035k", 100_035n * G, "DecimalSI"], // upstream
    ["0.0005k", 500_000_000n, "DecimalSI"], // upstream: 0.5
    ["0.00500", 5_000_000n, "DecimalSI"], // upstream: trailing zeros ignored
    ["6.987654321G", 6_987_654_321n * G, "DecimalSI"], // upstream
    ["1.01E", 101n * 10n ** 16n * G, "DecimalSI"], // upstream: 101 * 10^16
    ["3.001n", 4n, "DecimalSI"], // upstream: 3.001n rounds up to 4n
    ["1.1E-9", 2n, "DecimalExponent"], // upstream: 1.1n rounds up to 2n
    ["0.0000000001", 1n, "DecimalSI"], // upstream: 0.1n rounds up to 1n
    ["0.00000012345", 124n, "DecimalSI"], // upstream: 123.45n -> 124n
    ["1e-1000", 1n, "DecimalExponent"], // tiny but non-zero -> 1n
    ["9Ei", (2n ** 63n - 1n) * G, "BinarySI"], // upstream: BinarySI capped at max int64
    ["9223372036854775807Ki", (2n ** 63n - 1n) * G, "BinarySI"], // upstream: capped
    ["100.035Ki", 10_243_584n * 10n ** 7n, "BinarySI"], // upstream: 100.035*1024 = 102435.84
    ["0.5Mi", 524_288n * G, "BinarySI"], // upstream: 2^19
    ["0.05Gi", 536_870_912n * 10n ** 8n, "BinarySI"], // upstream: 2^30/20 = 53687091.2
    ["0.000000000001Ki", 2n, "DecimalSI"], // upstream: 1.024n -> 2n, below 1 so DecimalSI
    [".001", 1_000_000n, "DecimalSI"], // upstream
    [".0001k", 100_000_000n, "DecimalSI"], // upstream: 0.1
    ["1.", 1n * G, "DecimalSI"], // upstream
    ["1.G", 10n ** 9n * G, "DecimalSI"], // upstream
    ["+1.5", 1_500_000_000n, "DecimalSI"], // explicit plus sign
    ["-1.025Ti", -1_126_999_418_470_400_000_000n, "BinarySI"], // 1.025*2^40 = 1126999418470.4
    ["-0.1n", -1n, "DecimalSI"], // magnitude rounds up: -0.1n -> -1n
    ["-0.000000000001Ki", -2n, "DecimalSI"], // upstream (negated row): -1.024n -> -2n
    ["007", 7n * G, "DecimalSI"], // leading zeros
    ["1e+03", 1000n * G, "DecimalExponent"], // signed, zero-padded exponent
  ];
  it.each(rows)("%s", (input, nanos, format) => {
    const q = parseQuantity(input);
    expect(q.nanos).toBe(nanos);
    expect(q.format).toBe(format);
    expect(q.text).toBe(input);
  });
});

describe("parseQuantity: JS numbers (YAML numeric values)", () => {
  const rows: Array<[input: number, text: string, nanos: bigint]> = [
    [2, "2", 2n * G],
    [0.5, "0.5", 500_000_000n],
    [0.1, "0.1", 100_000_000n], // exact, not 0.1000000000000000055...
    [1e9, "1000000000", 10n ** 9n * G],
    [1e21, "1e+21", 10n ** 21n * G], // String() uses exponent form
    [5e-7, "5e-7", 500n],
    [-0, "0", 0n],
    [-2.5, "-2.5", -2_500_000_000n],
  ];
  it.each(rows)("%d", (input, text, nanos) => {
    const q = parseQuantity(input);
    expect(q.text).toBe(text);
    expect(q.nanos).toBe(nanos);
  });

  it.each([NaN, Infinity, -Infinity])("rejects %d", (n) => {
    expect(() => parseQuantity(n)).toThrow(QuantityError);
  });
});

describe("parseCpuMillis (ceil(value * 1000))", () => {
  const rows: Array<[input: string | number, millis: number]> = [
    ["100m", 100],
    ["0.1", 100], // docs: 0.1 CPU == 100m
    [0.1, 100],
    ["1", 1000], // docs: 1 CPU == 1000m
    [1, 1000],
    ["2", 2000],
    [0.5, 500],
    ["250m", 250],
    ["5300m", 5300], // upstream example
    ["5.4", 5400], // upstream example
    ["1.5", 1500],
    ["1.0001", 1001], // 1000.1m rounds up
    ["0.0001", 1], // 0.1m rounds up
    ["1n", 1], // 0.000001m rounds up
    ["1u", 1], // 0.001m rounds up
    ["1000000n", 1], // exactly 1m
    ["1000001n", 2], // 1.000001m rounds up
    ["1e-3", 1],
    ["12e-1", 1200],
    ["1k", 1_000_000],
    ["1Ki", 1_024_000],
    ["0", 0],
    ["-100m", -100],
    ["-1.0001", -1000], // ceil(-1000.1) = -1000 (toward +infinity)
  ];
  it.each(rows)("%s -> %d", (input, millis) => {
    expect(parseCpuMillis(input)).toBe(millis);
    expect(quantityMilliValue(parseQuantity(input))).toBe(millis);
  });
});

describe("parseBytes (ceil(value))", () => {
  const rows: Array<[input: string | number, bytes: number]> = [
    // docs: these are all roughly the same value
    ["128974848", 128_974_848],
    ["129e6", 129_000_000],
    ["129M", 129_000_000],
    ["128974848000m", 128_974_848], // 128974848000 / 1000
    ["123Mi", 128_974_848], // 123 * 1048576
    ["2Gi", 2_147_483_648],
    ["5Gi", 5_368_709_120], // upstream example
    ["5G", 5_000_000_000], // upstream example
    ["64Mi", 67_108_864],
    ["500M", 500_000_000],
    ["1e3", 1000],
    ["1E3", 1000], // exponent, not exa
    ["12e+6", 12_000_000],
    [1e9, 1_000_000_000],
    ["0.5", 1], // rounds up
    ["400m", 1], // docs caution: 400m of memory is 0.4 bytes -> 1
    ["1.5Ki", 1536],
    ["1.1Gi", 1_181_116_007], // 1.1 * 1073741824 = 1181116006.4 -> rounds up
    ["0.5Mi", 524_288],
    ["1Pi", 1_125_899_906_842_624], // 2^50
    ["9007199254740991", Number.MAX_SAFE_INTEGER],
    ["-1Ki", -1024],
  ];
  it.each(rows)("%s -> %d", (input, bytes) => {
    expect(parseBytes(input)).toBe(bytes);
    expect(quantityValue(parseQuantity(input))).toBe(bytes);
  });

  it.each(["9007199254740992", "8Pi", "7Ei", "1E", "9Ei", "-8Pi"])("%s is too large for a JS number", (input) => {
    expect(() => parseBytes(input)).toThrow(/too large/);
  });

  it("milli-value can overflow even when the value fits", () => {
    // 2^50 * 1000 > 2^53
    expect(parseBytes("1Pi")).toBe(1_125_899_906_842_624);
    expect(() => parseCpuMillis("1Pi")).toThrow(QuantityError);
  });
});

describe("invalid input", () => {
  const rows: string[] = [
    "",
    " 1", // upstream: whitespace forbidden
    "1 ", // upstream
    "1 Gi",
    "1.5.5",
    "1.1.M", // upstream
    "1+1.0M", // upstream
    "0.1mi", // upstream
    "0.1am", // upstream
    "aoeu", // upstream
    "Non-Numeric", // upstream
    ".5i", // upstream
    "1i", // upstream
    "-3.01i", // upstream
    "-3.01e-", // upstream
    "1gi",
    "1KiB",
    "1K", // decimal kilo is lower-case k
    "1mb",
    "abc",
    "--1",
    "+-1",
    "1e",
    "1E+",
    "1e3.5",
    "1ee3",
    "1Zi",
    "1Ki3",
    ".",
    "-",
    "Gi", // upstream's scanner reads bare suffixes as 0; rejected here
    "0x10",
    "1_000",
    "1,5",
    "\uff11", // full-width digit one
    "1\n",
    "1e99999999999", // exponent outside int32
    "1e41", // more than 40 integer digits
  ];
  it.each(rows)("%j", (input) => {
    expect(() => parseQuantity(input)).toThrow(QuantityError);
  });

  it("error carries the input and says what is allowed", () => {
    let err: unknown;
    try {
      parseQuantity("1gi");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuantityError);
    expect(err).toBeInstanceOf(Error);
    const qe = err as QuantityError;
    expect(qe.input).toBe("1gi");
    expect(qe.message).toMatch(/unknown suffix "gi"/);
    expect(qe.message).toMatch(/Ki\|Mi\|Gi/);
    expect(qe.message).toMatch(/n\|u\|m\|k\|M\|G/);
  });

  it("parseCpuMillis / parseBytes propagate QuantityError", () => {
    expect(() => parseCpuMillis("1 cpu")).toThrow(QuantityError);
    expect(() => parseBytes("1GB")).toThrow(QuantityError);
  });
});

describe("isNegative", () => {
  it.each([
    ["-1", true],
    ["-0.1n", true],
    ["1", false],
    ["0", false],
    ["-0", false],
    ["+5Mi", false],
  ] as const)("%s -> %s", (input, neg) => {
    expect(isNegative(parseQuantity(input))).toBe(neg);
  });
});

describe("formatCpuMillis (canonical DecimalSI)", () => {
  const rows: Array<[millis: number, text: string]> = [
    [100, "100m"],
    [2000, "2"],
    [1500, "1500m"],
    [5300, "5300m"], // upstream example
    [1080, "1080m"], // upstream
    [1, "1m"],
    [0, "0"],
    [250, "250m"],
    [1_000_000, "1k"], // 1000 cores
    [3_000_000, "3k"], // upstream: 3k
    [1_234_567_000, "1234567"], // 1234567 cores: no factor of 1000 to pull out
    [-100, "-100m"],
  ];
  it.each(rows)("%d -> %s", (millis, text) => {
    expect(formatCpuMillis(millis)).toBe(text);
    expect(parseCpuMillis(text)).toBe(millis); // round trip
  });

  it.each([1.5, NaN, 2 ** 53])("rejects non-safe-integer %d", (m) => {
    expect(() => formatCpuMillis(m)).toThrow(QuantityError);
  });
});

describe("formatBytes (canonical BinarySI)", () => {
  const rows: Array<[bytes: number, text: string]> = [
    [2_147_483_648, "2Gi"],
    [1024, "1Ki"],
    [6 * 1024, "6Ki"], // upstream
    [5_368_709_120, "5Gi"], // upstream example
    [300 * 1024 * 1024, "300Mi"], // upstream
    [Number(1001n * Gi), "1001Gi"], // upstream
    [Number(Ti), "1Ti"], // upstream
    [1536, "1536"], // 1.5 * 1024: not a whole number of Ki
    [1025, "1025"], // upstream
    [5, "5"], // upstream
    [0, "0"], // upstream
    [1000, "1k"], // below 1024 -> emitted as DecimalSI, like upstream
    [1023, "1023"],
    [1_000_000, "1000000"], // >= 1024 stays BinarySI; 10^6 is not a multiple of 1024
    [-2048, "-2Ki"],
  ];
  it.each(rows)("%d -> %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
    expect(parseBytes(text)).toBe(bytes); // round trip
  });

  it("rejects non-integers", () => {
    expect(() => formatBytes(0.5)).toThrow(QuantityError);
  });
});

describe("formatQuantity (upstream String())", () => {
  const rows: Array<[input: string, canonical: string]> = [
    ["1Ki", "1Ki"], // upstream ParseEmit
    ["1024Mi", "1Gi"], // upstream
    ["1000M", "1G"], // upstream
    [".001Ki", "1024m"], // upstream: 1.024
    [".000001Ki", "1024u"], // upstream
    [".000000001Ki", "1024n"], // upstream
    [".000000000001Ki", "2n"], // upstream
    ["1.5", "1500m"], // upstream doc comment
    ["1.5Gi", "1536Mi"], // upstream doc comment
    ["-1.5Gi", "-1536Mi"],
    ["0.001T", "1G"], // upstream alternate
    ["1080000000n", "1080m"], // upstream alternate
    ["1.08", "1080m"], // upstream alternate
    ["5000m", "5"], // upstream alternate
    ["1000u", "1m"], // upstream alternate
    [".001e12", "1e9"], // upstream alternate: DecimalExponent keeps e-notation
    ["0.001e0", "1e-3"], // upstream alternate
    ["1000e-12", "1e-9"], // upstream alternate
    ["80e-3", "80e-3"], // upstream
    ["00", "0"], // upstream alternate
    ["1.5Ki", "1536"], // 1536 is not a whole number of Ki
    ["10000000000000000000000m", "10E"], // upstream TestParseQuantity
    ["9223372036854775807.1", "9223372036854775807100m"], // upstream TestParseQuantity
    ["-1.0000000000000000001E", "-1000000000000000000100m"], // upstream TestParseQuantity
  ];
  it.each(rows)("%s -> %s", (input, canonical) => {
    const q = parseQuantity(input);
    expect(formatQuantity(q)).toBe(canonical);
    expect(parseQuantity(canonical).nanos).toBe(q.nanos); // canonical form is exact
  });
});
