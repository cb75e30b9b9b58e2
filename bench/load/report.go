package load

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is the outcome of a run; it is also the JSON of --json.
type Report struct {
	URL       string    `json:"url"`
	Clients   int       `json:"clients"`
	StartedAt time.Time `json:"started_at"`
	Scenarios []Result  `json:"scenarios"`
	// ServerRSS is the server's memory after the run, when asked for.
	ServerRSS *RSS `json:"server_rss_mb,omitempty"`
}

// Result is the outcome of one scenario. Latencies are in milliseconds,
// rounded to two decimals, from sending a request to having read the
// whole answer.
type Result struct {
	Name         string   `json:"name"`
	Clients      int      `json:"clients"`
	Seconds      float64  `json:"duration_s"`
	Requests     int      `json:"requests"`
	Errors       int      `json:"errors"`
	PerSecond    float64  `json:"req_per_s"`
	P50          float64  `json:"p50_ms"`
	P95          float64  `json:"p95_ms"`
	P99          float64  `json:"p99_ms"`
	Max          float64  `json:"max_ms"`
	ErrorsSample []string `json:"errors_sample"`
}

// RSS is a process's peak (VmHWM) and current (VmRSS) resident memory in
// MB; nil fields could not be read.
type RSS struct {
	Peak    *float64 `json:"peak"`
	Current *float64 `json:"current"`
}

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted
// samples: the smallest sample that at least p percent of the samples do
// not exceed. It is 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// summarize makes the Result of a scenario from its latency samples.
func summarize(name string, clients int, elapsed time.Duration, lat []time.Duration, errors int, sample []string) Result {
	slices.Sort(lat)
	res := Result{Name: name, Clients: clients, Seconds: round2(elapsed.Seconds()), Requests: len(lat), Errors: errors,
		P50: ms(Percentile(lat, 50)), P95: ms(Percentile(lat, 95)), P99: ms(Percentile(lat, 99)),
		ErrorsSample: append([]string{}, sample...)}
	if len(lat) > 0 {
		res.Max = ms(lat[len(lat)-1])
	}
	if elapsed > 0 {
		res.PerSecond = round2(float64(len(lat)) / elapsed.Seconds())
	}
	return res
}

func ms(d time.Duration) float64 { return round2(float64(d) / float64(time.Millisecond)) }

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// WriteTable writes the report as a table, then the sampled errors and the
// server's memory.
func (r *Report) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%-8s %7s %9s %9s %7s %9s %9s %9s %9s %9s\n",
		"scenario", "clients", "duration", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, s := range r.Scenarios {
		fmt.Fprintf(bw, "%-8s %7d %8.1fs %9d %7d %9.1f %9.2f %9.2f %9.2f %9.2f\n",
			s.Name, s.Clients, s.Seconds, s.Requests, s.Errors, s.PerSecond, s.P50, s.P95, s.P99, s.Max)
	}
	for _, s := range r.Scenarios {
		for _, e := range s.ErrorsSample {
			fmt.Fprintf(bw, "%s error: %s\n", s.Name, e)
		}
	}
	if r.ServerRSS != nil {
		fmt.Fprintf(bw, "server RSS: peak %s, current %s\n", mb(r.ServerRSS.Peak), mb(r.ServerRSS.Current))
	}
	return bw.Flush()
}

func mb(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64) + " MB"
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadRSS reads the peak and current resident memory of process pid from
// /proc/PID/status (Linux); fields it cannot read stay nil.
func ReadRSS(pid int) *RSS {
	out := &RSS{}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return out
	}
	for line := range strings.Lines(string(data)) {
		key, value, ok := strings.Cut(line, ":")
		if !ok || (key != "VmHWM" && key != "VmRSS") {
			continue
		}
		f := strings.Fields(value) // "123456 kB"
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		v := round2(kb / 1024)
		if key == "VmHWM" {
			out.Peak = &v
		} else {
			out.Current = &v
		}
	}
	return out
}
