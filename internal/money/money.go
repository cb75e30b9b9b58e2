// Package money owns amounts of money: yuan held exactly as a whole number
// of fen (分), written as a decimal string with two decimals ("2000.00"),
// and the one rounding rule of the product, 0.01 yuan half-up (RULES.md
// UTL introduction, G-58). Fines, bonuses, bounties and the calculators
// count in Yuan; nothing counts money in floating point.
package money

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Yuan is an amount in fen: Yuan(2000_00) is 2,000.00 yuan.
type Yuan int64

// MaxYuan is the largest amount Parse accepts: a trillion yuan.
const MaxYuan Yuan = 1_000_000_000_000_00

// ErrSyntax is returned for text that is not an amount.
var ErrSyntax = errors.New("money: not an amount of yuan with at most two decimals")

// ErrRange is returned for an amount beyond ±MaxYuan.
var ErrRange = errors.New("money: amount out of range")

// Parse reads "2000", "2000.5", "2000.50", "-15.00" or "1,200.00" (thousands
// separators allowed) into fen. More than two decimals is an error, not a
// rounding: an entered amount is taken as written.
func Parse(s string) (Yuan, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	if neg || strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	whole = strings.ReplaceAll(whole, ",", "")
	if whole == "" || len(frac) > 2 || dot && frac == "" || !digits(whole) || !digits(frac) {
		return 0, ErrSyntax
	}
	if len(whole) > 13 {
		return 0, ErrRange
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, ErrSyntax
	}
	y := Yuan(n)
	if y > MaxYuan {
		return 0, ErrRange
	}
	if neg {
		y = -y
	}
	return y, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String writes the amount with two decimals: "2000.00", "-0.50".
func (y Yuan) String() string {
	sign := ""
	n := int64(y)
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}

// Fen is the amount in fen.
func (y Yuan) Fen() int64 { return int64(y) }

// FromYuan is a whole number of yuan.
func FromYuan(n int64) Yuan { return Yuan(n * 100) }

// Percent is y × pct %, pct given in hundredths of a percent (500 = 5 %),
// rounded to the fen half-up (away from zero at exactly one half).
// 18,400.00 at 5 % is 920.00 (MER-008).
func (y Yuan) Percent(hundredths int64) Yuan {
	num := int64(y) * hundredths // fen × 1/10,000
	q, r := num/10000, num%10000
	if r < 0 {
		r = -r
	}
	if r*2 >= 10000 {
		if num < 0 {
			q--
		} else {
			q++
		}
	}
	return Yuan(q)
}

// Times is y × n, or an error when it overflows MaxYuan.
func (y Yuan) Times(n int64) (Yuan, error) {
	if n != 0 && (int64(y) > math.MaxInt64/abs(n) || int64(y) < -math.MaxInt64/abs(n)) {
		return 0, ErrRange
	}
	out := Yuan(int64(y) * n)
	if out > MaxYuan || out < -MaxYuan {
		return 0, ErrRange
	}
	return out, nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// MarshalJSON writes the amount as a decimal string, "920.00" (API.md:
// money is a decimal string in yuan with two decimals).
func (y Yuan) MarshalJSON() ([]byte, error) { return json.Marshal(y.String()) }

// UnmarshalJSON reads a decimal string or a JSON number of yuan (policy
// packs write amounts as YAML numbers: 2000 or 0.5).
func (y *Yuan) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		s = string(b)
	}
	v, err := Parse(s)
	if err != nil {
		return fmt.Errorf("%w: %s", err, b)
	}
	*y = v
	return nil
}

// ParsePercent reads a percentage with at most two decimals, "5", "5 %",
// "7.5%", into hundredths of a percent (500, 750).
func ParsePercent(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	y, err := Parse(s)
	if err != nil || y < 0 {
		return 0, ErrSyntax
	}
	return int64(y), nil
}

// FormatPercent writes hundredths of a percent as "5%" or "7.5%".
func FormatPercent(hundredths int64) string {
	s := Yuan(hundredths).String()
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".0")
	s = strings.TrimSuffix(s, ".")
	return s + "%"
}
