package crm

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Quote arithmetic. Everything here is pure (no I/O) and exact: money is in
// whole cents, quantities in thousandths of a unit and percentages in basis
// points (hundredths of a percent), and every product is computed with
// math/big so that no intermediate value can overflow. Rounding is half away
// from zero, to whole cents, once per line (never on the sum of lines).

// Bounds of a quote line, as NormalizeQuoteLines enforces them.
const (
	maxQuoteLines            = 100
	maxQuoteLineDescription  = 500
	maxQuoteQuantityMilli    = 1_000_000 * 1000 // 1,000,000 units
	maxQuoteUnitPriceCents   = 10_000_000_000   // 10^10 cents = 100,000,000.00
	maxQuoteBasisPoints      = 10000            // 100 %
	quoteQuantityScaleFactor = 1000             // QuantityMilli per unit
	quoteBasisPointsPerUnit  = 10000            // basis points in 100 %
)

// QuoteLine is one line of a quote. Quantities have 3 decimals
// (QuantityMilli: 1500 = 1.5), percentages 2 decimals in basis points
// (DiscountBP: 1250 = 12.5 %, TaxBP: 2100 = 21 %). Money is in cents.
// NetCents, TaxCents and TotalCents are outputs: Compute (and so
// NormalizeQuoteLines) overwrites whatever they held.
type QuoteLine struct {
	Description    string
	InterestID     string
	QuantityMilli  int64
	UnitPriceCents int64
	DiscountBP     int64 // 0..10000
	TaxBP          int64 // 0..10000
	NetCents       int64 // computed: quantity × unit price − discount, rounded
	TaxCents       int64 // computed: net × tax, rounded
	TotalCents     int64 // computed: net + tax
}

// Compute fills NetCents, TaxCents and TotalCents from the line's quantity,
// unit price, discount and tax:
//
//	net   = round(quantity × unitPrice × (1 − discount))
//	tax   = round(net × taxPct)      (from the rounded net)
//	total = net + tax
//
// each rounded half away from zero to whole cents (0.5 → 1, −0.5 → −1), with
// exact math/big arithmetic so that no product overflows. It returns no error
// and never panics: it does not validate, and is meaningful for lines within
// NormalizeQuoteLines' bounds, where every result fits in int64 by a wide
// margin; for out-of-range input a result that does not fit in int64
// saturates at math.MaxInt64 or math.MinInt64.
func (l *QuoteLine) Compute() {
	num := new(big.Int).SetInt64(l.QuantityMilli)
	num.Mul(num, big.NewInt(l.UnitPriceCents))
	num.Mul(num, new(big.Int).Sub(big.NewInt(quoteBasisPointsPerUnit), big.NewInt(l.DiscountBP)))
	net := divRoundHalfAway(num, big.NewInt(quoteQuantityScaleFactor*quoteBasisPointsPerUnit))

	num.Mul(net, big.NewInt(l.TaxBP))
	tax := divRoundHalfAway(num, big.NewInt(quoteBasisPointsPerUnit))

	l.NetCents = saturate(net)
	l.TaxCents = saturate(tax)
	l.TotalCents = saturate(net.Add(net, tax))
}

// divRoundHalfAway returns num / den rounded half away from zero, as a new
// big.Int; den must be positive.
func divRoundHalfAway(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int)) // truncates toward zero
	r.Abs(r).Lsh(r, 1)                                  // 2|r|
	if r.Cmp(den) >= 0 {
		q.Add(q, big.NewInt(int64(num.Sign())))
	}
	return q
}

// saturate converts x to int64, clamping it to the int64 range.
func saturate(x *big.Int) int64 {
	switch {
	case x.IsInt64():
		return x.Int64()
	case x.Sign() > 0:
		return math.MaxInt64
	default:
		return math.MinInt64
	}
}

// NormalizeQuoteLines validates and cleans lines in place, then computes
// each one (see QuoteLine.Compute). It trims Description and InterestID and
// checks:
//
//   - there are 1 to 100 lines (field "lines");
//   - description: required, at most 500 characters;
//   - interestId: a valid ID, or "";
//   - quantity: QuantityMilli > 0 and ≤ 1,000,000 units (10^9 milli);
//   - unitPriceCents: between −10^10 and 10^10 (negative for a credit line);
//   - discountPct, taxPct: DiscountBP and TaxBP between 0 and 10000 (0–100 %).
//
// It returns nil, or a CodeInvalid *Error whose Fields name each problem by
// the API's JSON names with the line's zero-based index, e.g.
// "lines[3].quantity", "lines[0].discountPct". With more than 100 lines only
// "lines" is reported. Lines are computed only when all of them are valid;
// after an error their computed fields are unspecified.
func NormalizeQuoteLines(lines []QuoteLine) error {
	f := fieldErrors{}
	switch {
	case len(lines) == 0:
		f.add("lines", "must have at least 1 line")
		return f.err()
	case len(lines) > maxQuoteLines:
		f.add("lines", "must have at most "+strconv.Itoa(maxQuoteLines)+" lines")
		return f.err()
	}
	for i := range lines {
		l := &lines[i]
		p := "lines[" + strconv.Itoa(i) + "]."
		requireText(f, p+"description", &l.Description, maxQuoteLineDescription)
		checkRef(f, p+"interestId", &l.InterestID)
		if l.QuantityMilli <= 0 || l.QuantityMilli > maxQuoteQuantityMilli {
			f.add(p+"quantity", "must be greater than 0 and at most 1000000")
		}
		if l.UnitPriceCents < -maxQuoteUnitPriceCents || l.UnitPriceCents > maxQuoteUnitPriceCents {
			f.add(p+"unitPriceCents", "must be between -10000000000 and 10000000000")
		}
		if l.DiscountBP < 0 || l.DiscountBP > maxQuoteBasisPoints {
			f.add(p+"discountPct", "must be between 0 and 100")
		}
		if l.TaxBP < 0 || l.TaxBP > maxQuoteBasisPoints {
			f.add(p+"taxPct", "must be between 0 and 100")
		}
	}
	if err := f.err(); err != nil {
		return err
	}
	for i := range lines {
		lines[i].Compute()
	}
	return nil
}

// QuoteTotals sums already computed lines (it does not call Compute):
// subtotalCents is the sum of NetCents, taxCents the sum of TaxCents and
// totalCents = subtotalCents + taxCents, which equals the sum of TotalCents
// for computed lines. Rounding happened per line, so the totals are sums of
// rounded values, not rounded sums. It returns no error; for lines within
// NormalizeQuoteLines' bounds no sum can overflow, and otherwise sums
// saturate at the int64 limits.
func QuoteTotals(lines []QuoteLine) (subtotalCents, taxCents, totalCents int64) {
	for _, l := range lines {
		subtotalCents = addSat(subtotalCents, l.NetCents)
		taxCents = addSat(taxCents, l.TaxCents)
	}
	return subtotalCents, taxCents, addSat(subtotalCents, taxCents)
}

// addSat returns a + b, clamped to the int64 range.
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}

// maxDecimalScale is the largest scale ParseDecimal and FormatDecimal
// support: 10^18 is the largest power of ten in an int64.
const maxDecimalScale = 18

// ParseDecimal reads a plain decimal into an integer with scale decimals:
// ParseDecimal("1.5", 3) = 1500, ParseDecimal("-0.25", 2) = -25,
// ParseDecimal("12.50", 2) = 1250. It is meant for the text of a JSON number
// (json.Number) or a form field holding a quantity (scale 3) or a percentage
// (scale 2).
//
// The accepted grammar is exactly  -?[0-9]+(\.[0-9]+)?  with at most scale
// digits after the point. Leading zeros ("007", "-0") are accepted. It
// refuses (ok=false) the empty string, a lone "-", a "+" or any sign other
// than one leading "-", exponents ("1e3"), a point with no digits on one
// side ("1." and ".5"), more decimals than scale ("1.2345" at scale 3, even
// when they are zeros), spaces and any other character, a value whose scaled
// form overflows int64, and a scale outside 0..18. It never panics.
func ParseDecimal(s string, scale int) (v int64, ok bool) {
	if scale < 0 || scale > maxDecimalScale {
		return 0, false
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" || (hasPoint && frac == "") || len(frac) > scale ||
		!allDigits(intPart) || !allDigits(frac) {
		return 0, false
	}
	// Accumulate the magnitude as uint64, so that math.MinInt64 (whose
	// magnitude is one more than math.MaxInt64) can be read.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var mag uint64
	push := func(d uint64) bool {
		if mag > (limit-d)/10 {
			return false
		}
		mag = mag*10 + d
		return true
	}
	for i := 0; i < len(intPart); i++ {
		if !push(uint64(intPart[i] - '0')) {
			return 0, false
		}
	}
	for i := 0; i < scale; i++ {
		var d uint64
		if i < len(frac) {
			d = uint64(frac[i] - '0')
		}
		if !push(d) {
			return 0, false
		}
	}
	if neg {
		return int64(-mag), true // wraps correctly for mag = 1<<63
	}
	return int64(mag), true
}

// allDigits reports whether s holds only ASCII digits ("" does).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatDecimal writes v, an integer with scale decimals, as a plain decimal,
// trimming trailing zeros and then the point: FormatDecimal(1500, 3) = "1.5",
// FormatDecimal(2000, 3) = "2", FormatDecimal(-25, 2) = "-0.25",
// FormatDecimal(0, 2) = "0". Its output is always accepted by ParseDecimal
// with the same scale and reads back as v. It returns no error; like
// strconv.FormatInt with a bad base, it panics when scale is outside 0..18,
// which is a programming error, never a property of input.
func FormatDecimal(v int64, scale int) string {
	if scale < 0 || scale > maxDecimalScale {
		panic("crm.FormatDecimal: scale " + strconv.Itoa(scale) + " outside 0..18")
	}
	mag := uint64(v)
	if v < 0 {
		mag = -mag // two's complement magnitude, right for math.MinInt64 too
	}
	digits := strconv.FormatUint(mag, 10)
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	intPart, frac := digits[:len(digits)-scale], strings.TrimRight(digits[len(digits)-scale:], "0")
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	b.WriteString(intPart)
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
