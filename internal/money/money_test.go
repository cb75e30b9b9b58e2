package money

import (
	"encoding/json"
	"testing"
)

func TestParseAndString(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"2000", "2000.00"}, {"2000.5", "2000.50"}, {"0.05", "0.05"}, {"-15.00", "-15.00"},
		{"1,200.00", "1200.00"}, {" 18400 ", "18400.00"}, {"+3.1", "3.10"}, {"0", "0.00"},
	} {
		y, err := Parse(c.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.in, err)
		}
		if y.String() != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, y, c.want)
		}
	}
	for _, bad := range []string{"", ".5", "1.", "1.234", "abc", "1e3", "--1", "12345678901234", "1.2.3", "¥5"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestPercentRoundsHalfUp(t *testing.T) {
	for _, c := range []struct {
		y    string
		pct  int64
		want string
	}{
		{"18400.00", 500, "920.00"},   // MER-008
		{"18400.00", 1000, "1840.00"}, // the 10 % of the seed
		{"0.10", 500, "0.01"},         // 0.005 rounds up
		{"0.09", 500, "0.00"},         // 0.0045 rounds down
		{"-0.10", 500, "-0.01"},       // half away from zero
		{"333.33", 333, "11.10"},      // 11.099889
	} {
		y, _ := Parse(c.y)
		if got := y.Percent(c.pct).String(); got != c.want {
			t.Errorf("%s × %d‱ = %s, want %s", c.y, c.pct, got, c.want)
		}
	}
}

func TestJSON(t *testing.T) {
	var v struct{ A, B Yuan }
	if err := json.Unmarshal([]byte(`{"A":"920.00","B":2000}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 920_00 || v.B != 2000_00 {
		t.Fatalf("got %d %d", v.A, v.B)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"A":"920.00","B":"2000.00"}` {
		t.Fatalf("marshal: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"A":"9.999"}`), &v); err == nil {
		t.Fatal("three decimals accepted")
	}
}

func TestTimesOverflow(t *testing.T) {
	if got, err := FromYuan(100).Times(3); err != nil || got.String() != "300.00" {
		t.Fatalf("100 × 3 = %s, %v", got, err)
	}
	if _, err := MaxYuan.Times(2); err == nil {
		t.Fatal("overflow accepted")
	}
}

func TestPercentText(t *testing.T) {
	for in, want := range map[string]int64{"5": 500, "5%": 500, "7.5 %": 750, "10.25": 1025} {
		got, err := ParsePercent(in)
		if err != nil || got != want {
			t.Errorf("ParsePercent(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := ParsePercent("-1"); err == nil {
		t.Error("negative percentage accepted")
	}
	for in, want := range map[int64]string{500: "5%", 750: "7.5%", 1025: "10.25%", 0: "0%"} {
		if got := FormatPercent(in); got != want {
			t.Errorf("FormatPercent(%d) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2000", "0.05", "-1,200.50", "1.", ".5", "9999999999999.99", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		y, err := Parse(s)
		if err != nil {
			return
		}
		if y > MaxYuan || y < -MaxYuan {
			t.Fatalf("Parse(%q) = %d beyond the range", s, y)
		}
		back, err := Parse(y.String())
		if err != nil || back != y {
			t.Fatalf("round trip of %q: %s → %d, %v", s, y, back, err)
		}
	})
}
