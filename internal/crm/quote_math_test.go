package crm

import (
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

func TestQuoteLineCompute(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		qtyMilli, price       int64
		discountBP, taxBP     int64
		wantNet, wantTax, tot int64
	}{
		// Rounding of the net, half away from zero.
		{"net 0.5 cent rounds up", 500, 1, 0, 0, 1, 0, 1},
		{"net -0.5 cent rounds down", 500, -1, 0, 0, -1, 0, -1},
		{"net 0.49 cent rounds to 0", 490, 1, 0, 0, 0, 0, 0},
		{"net -0.49 cent rounds to 0", 490, -1, 0, 0, 0, 0, 0},
		{"net 0.51 cent rounds to 1", 510, 1, 0, 0, 1, 0, 1},
		{"net 2.5 cents rounds to 3 (not to even)", 2500, 1, 0, 0, 3, 0, 3},
		// Rounding of the tax, half away from zero, from the rounded net.
		{"tax 10.5 cents rounds up", 1000, 50, 0, 2100, 50, 11, 61},
		{"tax -10.5 cents rounds down", 1000, -50, 0, 2100, -50, -11, -61},
		{"tax 10.29 cents rounds to 10", 1000, 49, 0, 2100, 49, 10, 59},
		{"tax from the rounded net", 500, 1, 0, 5000, 1, 1, 2}, // net 0.5 → 1, tax 1 × 50 % = 0.5 → 1 (from the exact 0.5 it would be 0.25 → 0)
		// Discounts.
		{"0 % discount", 2000, 1000, 0, 0, 2000, 0, 2000},
		{"100 % discount", 3000, 123456, 10000, 2100, 0, 0, 0},
		{"12.5 % discount, 99.99 €, 21 %", 1000, 9999, 1250, 2100, 8749, 1837, 10586}, // 8749.125 → 8749; 1837.29 → 1837
		{"12.5 % discount, 100 €", 1000, 10000, 1250, 0, 8750, 0, 8750},
		{"33.33 % discount on 1 cent × 3", 3000, 1, 3333, 0, 2, 0, 2}, // 2.0001 → 2
		// Taxes.
		{"21 % tax", 1000, 10000, 0, 2100, 10000, 2100, 12100},
		{"10 % tax, half cent", 1000, 1995, 0, 1000, 1995, 200, 2195}, // 199.5 → 200
		{"4 % tax", 1000, 1234, 0, 400, 1234, 49, 1283},               // 49.36 → 49
		{"100 % tax", 1000, 777, 0, 10000, 777, 777, 1554},
		// Fractional quantities.
		{"1.5 h × 45,00 € at 21 %", 1500, 4500, 0, 2100, 6750, 1418, 8168}, // tax 1417.5 → 1418
		{"0.001 units × 1 €", 1, 100, 0, 0, 0, 0, 0},                       // 0.1 cent → 0
		{"0.005 units × 1 €", 5, 100, 0, 0, 1, 0, 1},                       // 0.5 cent → 1
		{"credit line, 2 × -15,00 €, 21 %", 2000, -1500, 0, 2100, -3000, -630, -3630},
		// Large values: qty × price × (1 − discount) reaches 10^23, far past int64.
		{"10^6 units × 10^10 cents", 1_000_000_000, 10_000_000_000, 0, 2100,
			10_000_000_000_000_000, 2_100_000_000_000_000, 12_100_000_000_000_000},
		{"-10^10 cents × 10^6 units", 1_000_000_000, -10_000_000_000, 0, 2100,
			-10_000_000_000_000_000, -2_100_000_000_000_000, -12_100_000_000_000_000},
		{"10^6 units × 10^10 cents, 12.5 % off", 1_000_000_000, 10_000_000_000, 1250, 2100,
			8_750_000_000_000_000, 1_837_500_000_000_000, 10_587_500_000_000_000},
		{"999999.999 units × 99999999.99 €, 33.33 % off", 999_999_999, 9_999_999_999, 3333, 2100,
			6_666_999_992_666_300, 1_400_069_998_459_923, 8_067_069_991_126_223},
		{"0.333 units × 99999999.99 €, 0.01 % off, 0.01 % tax", 333, 9_999_999_999, 1, 1,
			3_329_667_000, 332_967, 3_329_999_967},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := QuoteLine{QuantityMilli: tc.qtyMilli, UnitPriceCents: tc.price, DiscountBP: tc.discountBP, TaxBP: tc.taxBP,
				NetCents: 99, TaxCents: 99, TotalCents: 99} // stale values must be overwritten
			l.Compute()
			if l.NetCents != tc.wantNet || l.TaxCents != tc.wantTax || l.TotalCents != tc.tot {
				t.Fatalf("net, tax, total = %d, %d, %d; want %d, %d, %d",
					l.NetCents, l.TaxCents, l.TotalCents, tc.wantNet, tc.wantTax, tc.tot)
			}
		})
	}
}

// Compute takes no error, so out-of-range input must neither panic nor wrap
// around: results saturate.
func TestQuoteLineComputeSaturates(t *testing.T) {
	l := QuoteLine{QuantityMilli: math.MaxInt64, UnitPriceCents: math.MaxInt64, TaxBP: 10000}
	l.Compute()
	if l.NetCents != math.MaxInt64 || l.TaxCents != math.MaxInt64 || l.TotalCents != math.MaxInt64 {
		t.Fatalf("positive overflow: %+v", l)
	}
	l = QuoteLine{QuantityMilli: math.MaxInt64, UnitPriceCents: math.MinInt64, TaxBP: 10000}
	l.Compute()
	if l.NetCents != math.MinInt64 || l.TaxCents != math.MinInt64 || l.TotalCents != math.MinInt64 {
		t.Fatalf("negative overflow: %+v", l)
	}
}

func TestQuoteTotals(t *testing.T) {
	computed := func(ls ...QuoteLine) []QuoteLine {
		for i := range ls {
			ls[i].Compute()
		}
		return ls
	}
	for _, tc := range []struct {
		name                      string
		lines                     []QuoteLine
		subtotal, tax, total      int64
		roundedSumNet, roundedTax int64 // what rounding the exact sums once would give instead
	}{
		{
			// Three lines of 0.5 × 1 cent: each net 0.5 → 1, so the subtotal is
			// 3; rounding the sum (1.5) would give 2.
			name: "per-line net rounding",
			lines: computed(
				QuoteLine{QuantityMilli: 500, UnitPriceCents: 1},
				QuoteLine{QuantityMilli: 500, UnitPriceCents: 1},
				QuoteLine{QuantityMilli: 500, UnitPriceCents: 1},
			),
			subtotal: 3, tax: 0, total: 3,
			roundedSumNet: 2, roundedTax: 0,
		},
		{
			// Three lines of 5 cents at 10 %: each tax 0.5 → 1, so the tax is 3;
			// 10 % of the 15-cent subtotal would be 1.5 → 2.
			name: "per-line tax rounding",
			lines: computed(
				QuoteLine{QuantityMilli: 1000, UnitPriceCents: 5, TaxBP: 1000},
				QuoteLine{QuantityMilli: 1000, UnitPriceCents: 5, TaxBP: 1000},
				QuoteLine{QuantityMilli: 1000, UnitPriceCents: 5, TaxBP: 1000},
			),
			subtotal: 15, tax: 3, total: 18,
			roundedSumNet: 15, roundedTax: 2,
		},
		{
			name: "mixed rates and a credit line",
			lines: computed(
				QuoteLine{QuantityMilli: 1500, UnitPriceCents: 4500, TaxBP: 2100},                   // 6750 + 1418
				QuoteLine{QuantityMilli: 1000, UnitPriceCents: 9999, DiscountBP: 1250, TaxBP: 2100}, // 8749 + 1837
				QuoteLine{QuantityMilli: 1000, UnitPriceCents: 1995, TaxBP: 1000},                   // 1995 + 200
				QuoteLine{QuantityMilli: 1000, UnitPriceCents: -1234, TaxBP: 400},                   // -1234 - 49
			),
			subtotal: 6750 + 8749 + 1995 - 1234, tax: 1418 + 1837 + 200 - 49, total: 16260 + 3406,
			// Exact net 6750 + 8749.125 + 1995 − 1234 = 16260.125 → 16260, the same;
			// exact tax 1417.5 + 1837.32625 + 199.5 − 49.36 = 3404.96625 → 3405, one cent
			// less than the 3406 of per-line rounding.
			roundedSumNet: 16260, roundedTax: 3405,
		},
		{
			name:     "100 lines at the maximum",
			lines:    computed(repeatLine(QuoteLine{QuantityMilli: 1_000_000_000, UnitPriceCents: 10_000_000_000, TaxBP: 10000}, 100)...),
			subtotal: 1_000_000_000_000_000_000, tax: 1_000_000_000_000_000_000, total: 2_000_000_000_000_000_000,
			roundedSumNet: 1_000_000_000_000_000_000, roundedTax: 1_000_000_000_000_000_000,
		},
		{name: "no lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub, tax, total := QuoteTotals(tc.lines)
			if sub != tc.subtotal || tax != tc.tax || total != tc.total {
				t.Fatalf("QuoteTotals = %d, %d, %d; want %d, %d, %d", sub, tax, total, tc.subtotal, tc.tax, tc.total)
			}
			var sumTotals int64
			for _, l := range tc.lines {
				sumTotals += l.TotalCents
			}
			if total != sumTotals || total != sub+tax {
				t.Fatalf("total %d, sum of line totals %d, subtotal+tax %d", total, sumTotals, sub+tax)
			}
			// Contrast with rounding once on the exact sums.
			net, tx := unroundedSums(tc.lines)
			if gotNet, gotTax := roundRat(net), roundRat(tx); gotNet != tc.roundedSumNet || gotTax != tc.roundedTax {
				t.Fatalf("exact sums round to %d, %d; want %d, %d", gotNet, gotTax, tc.roundedSumNet, tc.roundedTax)
			}
		})
	}
}

func repeatLine(l QuoteLine, n int) []QuoteLine {
	out := make([]QuoteLine, n)
	for i := range out {
		out[i] = l
	}
	return out
}

// unroundedSums returns the exact (unrounded) net and tax of lines, in cents.
func unroundedSums(lines []QuoteLine) (net, tax *big.Rat) {
	net, tax = new(big.Rat), new(big.Rat)
	for _, l := range lines {
		n := new(big.Rat).SetFrac(
			new(big.Int).Mul(new(big.Int).Mul(big.NewInt(l.QuantityMilli), big.NewInt(l.UnitPriceCents)), big.NewInt(10000-l.DiscountBP)),
			big.NewInt(10_000_000))
		net.Add(net, n)
		tax.Add(tax, new(big.Rat).Mul(n, big.NewRat(l.TaxBP, 10000)))
	}
	return net, tax
}

// roundRat rounds r half away from zero: an independent reference for the
// "rounding the sum" side of the comparison.
func roundRat(r *big.Rat) int64 {
	a := new(big.Rat).Abs(r)
	a.Add(a, big.NewRat(1, 2))
	q := new(big.Int).Quo(a.Num(), a.Denom()) // floor, a ≥ 0
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return q.Int64()
}

func TestNormalizeQuoteLines(t *testing.T) {
	const interest = "01JDZ8Y3T4K5M6N7P8Q9R0S1T2"
	good := func() QuoteLine {
		return QuoteLine{Description: "  Consultoría  ", InterestID: " " + interest + " ", QuantityMilli: 1500, UnitPriceCents: 4500, TaxBP: 2100}
	}
	with := func(mod func(*QuoteLine)) QuoteLine {
		l := good()
		mod(&l)
		return l
	}
	for _, tc := range []struct {
		name   string
		lines  []QuoteLine
		fields []string // nil: valid
	}{
		{"one good line", []QuoteLine{good()}, nil},
		{"limits accepted", []QuoteLine{
			with(func(l *QuoteLine) { l.QuantityMilli = 1 }),
			with(func(l *QuoteLine) { l.QuantityMilli = 1_000_000_000 }),
			with(func(l *QuoteLine) { l.UnitPriceCents = 10_000_000_000; l.InterestID = "" }),
			with(func(l *QuoteLine) { l.UnitPriceCents = -10_000_000_000 }),
			with(func(l *QuoteLine) { l.UnitPriceCents = 0 }),
			with(func(l *QuoteLine) { l.DiscountBP = 10000; l.TaxBP = 0 }),
			with(func(l *QuoteLine) { l.TaxBP = 10000 }),
			with(func(l *QuoteLine) { l.Description = strings.Repeat("ñ", 500) }),
		}, nil},
		{"100 lines", repeatLine(good(), 100), nil},
		{"no lines", nil, []string{"lines"}},
		{"101 lines", repeatLine(good(), 101), []string{"lines"}},
		{"every field of line 3", []QuoteLine{good(), good(), good(), {
			Description: "   ", InterestID: "nope", QuantityMilli: 0,
			UnitPriceCents: 10_000_000_001, DiscountBP: -1, TaxBP: 10001,
		}}, []string{"lines[3].description", "lines[3].interestId", "lines[3].quantity",
			"lines[3].unitPriceCents", "lines[3].discountPct", "lines[3].taxPct"}},
		{"problems on two lines", []QuoteLine{
			with(func(l *QuoteLine) { l.QuantityMilli = -1000 }),
			good(),
			with(func(l *QuoteLine) { l.Description = strings.Repeat("x", 501); l.UnitPriceCents = -10_000_000_001 }),
		}, []string{"lines[0].quantity", "lines[2].description", "lines[2].unitPriceCents"}},
		{"quantity over 1,000,000 units", []QuoteLine{with(func(l *QuoteLine) { l.QuantityMilli = 1_000_000_001 })}, []string{"lines[0].quantity"}},
		{"discount over 100 %", []QuoteLine{with(func(l *QuoteLine) { l.DiscountBP = 10001 })}, []string{"lines[0].discountPct"}},
		{"negative tax", []QuoteLine{with(func(l *QuoteLine) { l.TaxBP = -1 })}, []string{"lines[0].taxPct"}},
		{"NUL in description", []QuoteLine{with(func(l *QuoteLine) { l.Description = "a\x00b" })}, []string{"lines[0].description"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := NormalizeQuoteLines(tc.lines)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				for i, l := range tc.lines {
					want := l
					want.Compute()
					if l.NetCents != want.NetCents || l.TaxCents != want.TaxCents || l.TotalCents != want.TotalCents {
						t.Errorf("line %d not computed: %+v", i, l)
					}
					if l.Description != strings.TrimSpace(l.Description) || l.InterestID != strings.TrimSpace(l.InterestID) {
						t.Errorf("line %d not trimmed: %+v", i, l)
					}
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Code != CodeInvalid {
				t.Fatalf("want a CodeInvalid *Error, got %v", err)
			}
			if len(e.Fields) != len(tc.fields) {
				t.Errorf("fields %v; want exactly %v", e.Fields, tc.fields)
			}
			for _, f := range tc.fields {
				if e.Fields[f] == "" {
					t.Errorf("field %s not named: %v", f, e)
				}
			}
		})
	}
}

func TestNormalizeQuoteLinesComputesAndCleans(t *testing.T) {
	lines := []QuoteLine{{Description: " Horas de consultoría ", QuantityMilli: 1500, UnitPriceCents: 4500, TaxBP: 2100}}
	if err := NormalizeQuoteLines(lines); err != nil {
		t.Fatal(err)
	}
	if l := lines[0]; l.Description != "Horas de consultoría" || l.NetCents != 6750 || l.TaxCents != 1418 || l.TotalCents != 8168 {
		t.Fatalf("%+v", l)
	}
}

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		s     string
		scale int
		want  int64
		ok    bool
	}{
		{"1", 3, 1000, true},
		{"1.5", 3, 1500, true},
		{"1.500", 3, 1500, true},
		{"-0.25", 2, -25, true},
		{"12.50", 2, 1250, true},
		{"12.5", 2, 1250, true},
		{"0", 2, 0, true},
		{"-0", 2, 0, true},
		{"-0.00", 2, 0, true},
		{"007", 0, 7, true},
		{"0.001", 3, 1, true},
		{"1000000", 3, 1_000_000_000, true},
		{"100", 2, 10000, true},
		{"9223372036854775807", 0, math.MaxInt64, true},
		{"-9223372036854775808", 0, math.MinInt64, true},
		{"9223372036854775.807", 3, math.MaxInt64, true},
		{"-9223372036854775.808", 3, math.MinInt64, true},
		{"9.223372036854775807", 18, math.MaxInt64, true},
		{"0.000000000000000001", 18, 1, true},
		// Rejected.
		{"9223372036854775808", 0, 0, false},
		{"-9223372036854775809", 0, 0, false},
		{"9223372036854775.808", 3, 0, false},
		{"9223372036854776", 3, 0, false},
		{"99999999999999999999999", 0, 0, false},
		{"10", 18, 0, false},
		{"1e3", 3, 0, false},
		{"1E3", 3, 0, false},
		{"1.5e1", 3, 0, false},
		{"1.2345", 3, 0, false},
		{"1.0000", 3, 0, false},
		{"1.5", 0, 0, false},
		{"", 3, 0, false},
		{"-", 3, 0, false},
		{"+1", 3, 0, false},
		{"--1", 3, 0, false},
		{"1-", 3, 0, false},
		{"1.", 3, 0, false},
		{".5", 3, 0, false},
		{"-.5", 3, 0, false},
		{".", 3, 0, false},
		{"1.2.3", 3, 0, false},
		{" 1", 3, 0, false},
		{"1 ", 3, 0, false},
		{"1,5", 3, 0, false},
		{"0x10", 3, 0, false},
		{"١", 0, 0, false}, // Arabic-Indic digit one
		{"NaN", 3, 0, false},
		{"Inf", 3, 0, false},
		{"1", -1, 0, false},
		{"1", 19, 0, false},
		{"0", 19, 0, false},
	} {
		v, ok := ParseDecimal(tc.s, tc.scale)
		if v != tc.want || ok != tc.ok {
			t.Errorf("ParseDecimal(%q, %d) = %d, %v; want %d, %v", tc.s, tc.scale, v, ok, tc.want, tc.ok)
		}
	}
}

func TestFormatDecimal(t *testing.T) {
	for _, tc := range []struct {
		v     int64
		scale int
		want  string
	}{
		{1500, 3, "1.5"},
		{2000, 3, "2"},
		{-25, 2, "-0.25"},
		{1250, 2, "12.5"},
		{1, 3, "0.001"},
		{-1, 3, "-0.001"},
		{0, 3, "0"},
		{0, 0, "0"},
		{10, 0, "10"},
		{100, 2, "1"},
		{1010, 2, "10.1"},
		{123456789, 3, "123456.789"},
		{math.MaxInt64, 0, "9223372036854775807"},
		{math.MinInt64, 0, "-9223372036854775808"},
		{math.MaxInt64, 3, "9223372036854775.807"},
		{math.MinInt64, 18, "-9.223372036854775808"},
		{1, 18, "0.000000000000000001"},
	} {
		got := FormatDecimal(tc.v, tc.scale)
		if got != tc.want {
			t.Errorf("FormatDecimal(%d, %d) = %q; want %q", tc.v, tc.scale, got, tc.want)
		}
		if back, ok := ParseDecimal(got, tc.scale); !ok || back != tc.v {
			t.Errorf("ParseDecimal(%q, %d) = %d, %v; want %d", got, tc.scale, back, ok, tc.v)
		}
	}
}

func TestFormatDecimalPanicsOnBadScale(t *testing.T) {
	for _, scale := range []int{-1, 19} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("FormatDecimal(1, %d) did not panic", scale)
				}
			}()
			FormatDecimal(1, scale)
		}()
	}
}

var decimalGrammar = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// FuzzParseDecimal checks ParseDecimal against an independent big.Rat
// reference, that it never panics, and that FormatDecimal and ParseDecimal
// round-trip both ways.
func FuzzParseDecimal(f *testing.F) {
	for _, seed := range []struct {
		s     string
		v     int64
		scale uint8
	}{
		{"1", 1500, 3}, {"1.5", -25, 2}, {"-0.25", 2000, 3}, {"12.50", 0, 2}, {"-0", 1, 0},
		{"1e3", math.MaxInt64, 3}, {"1.2345", math.MinInt64, 3}, {"", -1, 18}, {"-", 0, 18},
		{"1.", 7, 1}, {".5", -7, 1}, {"+1", 42, 2}, {"9223372036854775807", math.MaxInt64, 0},
		{"-9223372036854775808", math.MinInt64, 0}, {"9223372036854775808", 1, 0},
		{"0.000000000000000001", 1, 18}, {"00000000000000000000000001", 100, 2}, {"1.0", 10, 1},
	} {
		f.Add(seed.s, seed.v, seed.scale)
	}
	f.Fuzz(func(t *testing.T, s string, v int64, rawScale uint8) {
		scale := int(rawScale % (maxDecimalScale + 1))

		// FormatDecimal then ParseDecimal gives v back, for any v.
		text := FormatDecimal(v, scale)
		if back, ok := ParseDecimal(text, scale); !ok || back != v {
			t.Fatalf("ParseDecimal(FormatDecimal(%d, %d) = %q) = %d, %v", v, scale, text, back, ok)
		}
		if strings.Contains(text, ".") && strings.HasSuffix(text, "0") {
			t.Fatalf("FormatDecimal(%d, %d) = %q keeps trailing zeros", v, scale, text)
		}

		// ParseDecimal of any string agrees with the reference.
		got, ok := ParseDecimal(s, scale)
		want, wantOK := referenceParseDecimal(s, scale)
		if ok != wantOK || got != want {
			t.Fatalf("ParseDecimal(%q, %d) = %d, %v; reference %d, %v", s, scale, got, ok, want, wantOK)
		}
		if !ok {
			return
		}
		// And what it accepts formats canonically and reads back the same.
		canon := FormatDecimal(got, scale)
		if again, ok2 := ParseDecimal(canon, scale); !ok2 || again != got {
			t.Fatalf("ParseDecimal(%q, %d) = %d, but %q reads as %d, %v", s, scale, got, canon, again, ok2)
		}
	})
}

// referenceParseDecimal is ParseDecimal written the slow, obvious way: a
// grammar check, then exact rational arithmetic.
func referenceParseDecimal(s string, scale int) (int64, bool) {
	if !decimalGrammar.MatchString(s) {
		return 0, false
	}
	if _, frac, found := strings.Cut(s, "."); found && len(frac) > scale {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

// Sums clamp at the int64 limits instead of wrapping, and are exact below
// them, whatever the signs.
func TestAddSat(t *testing.T) {
	for _, tc := range []struct{ a, b, want int64 }{
		{2, 3, 5}, {-5, 3, -2}, {5, -3, 2}, {-3, 5, 2}, {3, -5, -2}, {-1, -1, -2}, {0, 0, 0},
		{math.MaxInt64, 0, math.MaxInt64}, {math.MaxInt64, -1, math.MaxInt64 - 1}, {math.MaxInt64, 1, math.MaxInt64},
		{1, math.MaxInt64, math.MaxInt64}, {math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{math.MinInt64, 0, math.MinInt64}, {math.MinInt64, 1, math.MinInt64 + 1}, {math.MinInt64, -1, math.MinInt64},
		{-1, math.MinInt64, math.MinInt64}, {math.MinInt64, math.MinInt64, math.MinInt64},
		{math.MaxInt64, math.MinInt64, -1},
	} {
		if got := addSat(tc.a, tc.b); got != tc.want {
			t.Errorf("addSat(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
