/**
 * Exact comparison of numbers written as decimal text (JSON numbers, and what a user types after --match's
 * operator): 1729384756123456789 and 1729384756123456800 differ, 1.10 equals 1.1, 1e400 is larger than 1e308.
 * Doubles cannot do this beyond 2^53 or past their range.
 */
const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

export function isNumericText(text: string): boolean {
  return NUMERIC.test(text);
}

interface Decimal {
  sign: -1 | 0 | 1;
  /** Significant digits, no leading or trailing zeros ('' for zero). */
  digits: string;
  /** The value is 0.<digits> × 10^exp. */
  exp: number;
}

function parse(text: string): Decimal {
  let s = text.trim();
  let sign: -1 | 1 = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  let exp = 0;
  const e = s.search(/[eE]/);
  if (e >= 0) {
    exp = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const dot = s.indexOf('.');
  const intPart = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  let digits = intPart + frac;
  exp += intPart.length;
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead).replace(/0+$/, '');
  exp -= lead;
  if (digits === '') return { sign: 0, digits: '', exp: 0 };
  return { sign, digits, exp };
}

/** <0, 0 or >0 as a < b, a = b, a > b; both must pass isNumericText. -0 equals 0. */
export function compareDecimal(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x.sign !== y.sign) return x.sign - y.sign;
  if (x.sign === 0) return 0;
  let mag: number;
  if (x.exp !== y.exp) mag = x.exp - y.exp;
  else mag = x.digits < y.digits ? -1 : x.digits > y.digits ? 1 : 0; // same exponent: digit strings compare as text
  return x.sign * mag;
}
