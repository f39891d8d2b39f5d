/** Comparing plain JSON-like data (API object specs and statuses) as their serializations would. */
/**
 * Whether `JSON.stringify(a) === JSON.stringify(b)`, for plain JSON-like data (no toJSON methods,
 * no cycles), without building the two strings: a status compared after every sync is a small
 * object, and serializing it twice per sync cost more than the rest of the sync. Same rules as the
 * serializer: object keys are compared in order, properties whose value is undefined, a function
 * or a symbol are left out (in arrays they are null), and non-finite numbers equal null.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  a = jsonScalar(a);
  b = jsonScalar(b);
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = jsonScalar(a[i]);
      const y = jsonScalar(b[i]);
      if (!jsonEqual(x === OMITTED ? null : x, y === OMITTED ? null : y)) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  const bk = Object.keys(bo);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ak.length && jsonScalar(ao[ak[i]]) === OMITTED) i++;
    while (j < bk.length && jsonScalar(bo[bk[j]]) === OMITTED) j++;
    if (i === ak.length || j === bk.length) return i === ak.length && j === bk.length;
    if (ak[i] !== bk[j] || !jsonEqual(ao[ak[i]], bo[bk[j]])) return false;
    i++;
    j++;
  }
}

const OMITTED: unique symbol = Symbol("omitted");

/** A value as JSON sees it: non-finite numbers are null; undefined, functions and symbols are left out. */
function jsonScalar(v: unknown): unknown {
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) ? v : null;
    case "undefined":
    case "function":
    case "symbol":
      return OMITTED;
    default:
      return v;
  }
}
