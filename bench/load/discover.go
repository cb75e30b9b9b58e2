package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sync"

	"kefu/bench/custgen"
)

// ErrNoData is returned when the server has nothing to load: no policy
// pack with a category.
var ErrNoData = errors.New("the server has no policy pack with categories")

// packCategory is a category work orders can be registered in.
type packCategory struct {
	pack, key, group, name string
}

// target is what discovery found on the server, plus the pool of
// work-order ids, which grows as "create" registers work orders. It is
// shared by all clients.
type target struct {
	cats       []packCategory // every category of every pack
	categories []string       // distinct category keys, for queue filters
	units      []string       // active org-unit ids
	phones     []string       // 11-digit phones of existing work orders
	numbers    []string       // numbers of existing work orders
	parties    []partyBody    // customers of existing work orders

	mu   sync.RWMutex
	ids  []string // every known work order
	open []string // those that are not closed or merged
}

// Discovery limits: pages of work orders read, and customers kept.
const (
	discoverPages   = 4
	discoverLimit   = 500
	maxParties      = 2000
	warmUpTickets   = 20
	phoneDigits     = 11
	numberMinDigits = 8
)

// listItem is the part of a work order discovery reads.
type listItem struct {
	ID       string `json:"id"`
	Number   string `json:"number"`
	Status   string `json:"status"`
	Customer struct {
		Name    string `json:"name"`
		Phone   string `json:"phone"`
		Address string `json:"address"`
	} `json:"customer"`
}

// discover reads the packs, org units and existing work orders (untimed).
// On a server without work orders it registers a few, so that the
// scenarios reading work orders have ids to read.
func discover(ctx context.Context, r *runner, seed uint64) (*target, error) {
	t := &target{}
	if err := t.discoverPacks(ctx, r); err != nil {
		return nil, err
	}
	var units struct {
		Items []struct {
			ID     string `json:"id"`
			Active bool   `json:"active"`
		} `json:"items"`
	}
	if err := r.call(ctx, request{method: "GET", path: "/api/v1/org-units"}, &units); err != nil {
		return nil, err
	}
	for _, u := range units.Items {
		if u.Active {
			t.units = append(t.units, u.ID)
		}
	}
	if err := t.discoverTickets(ctx, r); err != nil {
		return nil, err
	}
	if len(t.ids) == 0 {
		c := &client{t: t, rng: rand.New(rand.NewPCG(seed, 0)), gen: custgen.New(seed)}
		for range warmUpTickets {
			var tk listItem
			if err := r.call(ctx, createRequest(c), &tk); err != nil {
				return nil, fmt.Errorf("register work orders to read: %w", err)
			}
			t.add(tk)
			c.i++
		}
	}
	return t, nil
}

func (t *target) discoverPacks(ctx context.Context, r *runner) error {
	var packs struct {
		Items []struct {
			Key string `json:"key"`
		} `json:"items"`
	}
	if err := r.call(ctx, request{method: "GET", path: "/api/v1/policy/packs"}, &packs); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range packs.Items {
		var pack struct {
			Categories []struct {
				Key   string `json:"key"`
				Group string `json:"group"`
				Name  struct {
					ZH string `json:"zh"`
				} `json:"name"`
			} `json:"categories"`
		}
		if err := r.call(ctx, request{method: "GET", path: "/api/v1/policy/packs/" + url.PathEscape(p.Key)}, &pack); err != nil {
			return err
		}
		for _, c := range pack.Categories {
			t.cats = append(t.cats, packCategory{pack: p.Key, key: c.Key, group: c.Group, name: c.Name.ZH})
			if !seen[c.Key] {
				seen[c.Key] = true
				t.categories = append(t.categories, c.Key)
			}
		}
	}
	if len(t.cats) == 0 {
		return ErrNoData
	}
	return nil
}

// discoverTickets reads the newest pages of work orders and one page each
// of new, in-progress and closed ones.
func (t *target) discoverTickets(ctx context.Context, r *runner) error {
	seen := map[string]bool{}
	read := func(query string, pages int) error {
		cursor := ""
		for range pages {
			var page struct {
				Items      []listItem `json:"items"`
				NextCursor string     `json:"next_cursor"`
			}
			path := fmt.Sprintf("/api/v1/tickets?limit=%d%s", discoverLimit, query)
			if cursor != "" {
				path += "&cursor=" + url.QueryEscape(cursor)
			}
			if err := r.call(ctx, request{method: "GET", path: path}, &page); err != nil {
				return err
			}
			for _, it := range page.Items {
				if !seen[it.ID] {
					seen[it.ID] = true
					t.add(it)
				}
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		return nil
	}
	if err := read("", discoverPages); err != nil {
		return err
	}
	for _, st := range []string{"new", "in_progress", "closed"} {
		if err := read("&status="+st, 1); err != nil {
			return err
		}
	}
	return nil
}

// add puts a discovered work order into the pool and keeps its number and
// customer for searches and repeat callers.
func (t *target) add(it listItem) {
	if it.ID == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.addID(it.ID, it.Status)
	if len(it.Number) >= numberMinDigits {
		t.numbers = append(t.numbers, it.Number)
	}
	if c := it.Customer; isMobile(c.Phone) {
		t.phones = append(t.phones, c.Phone)
		if len(t.parties) < maxParties && c.Name != "" && c.Address != "" {
			t.parties = append(t.parties, partyBody{Name: c.Name, Phone: c.Phone, Address: c.Address})
		}
	}
}

// created adds the work order of a create answer to the pool.
func (t *target) created(body []byte) {
	var it struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if json.Unmarshal(body, &it) != nil || it.ID == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.addID(it.ID, it.Status)
}

// addID puts a work-order id into the pool, and into the open pool unless
// it is closed or merged; t.mu is held.
func (t *target) addID(id, status string) {
	t.ids = append(t.ids, id)
	if status != "closed" && status != "merged" {
		t.open = append(t.open, id)
	}
}

// pick is a random work-order id: an open one if open and there is one.
func (t *target) pick(r *rand.Rand, open bool) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if open && len(t.open) > 0 {
		return t.open[r.IntN(len(t.open))]
	}
	if len(t.ids) == 0 {
		return "0"
	}
	return t.ids[r.IntN(len(t.ids))]
}

// phone is the phone of a discovered work order, else a random one. The
// phones and numbers are written by discovery only, before the clients
// start, so reading them needs no lock.
func (t *target) phone(r *rand.Rand) string {
	if len(t.phones) == 0 {
		return mobile(r)
	}
	return t.phones[r.IntN(len(t.phones))]
}

// number is the number of a discovered work order, or "".
func (t *target) number(r *rand.Rand) string {
	return pick(r, t.numbers)
}

// isMobile reports whether s is an 11-digit number starting with 1.
func isMobile(s string) bool {
	if len(s) != phoneDigits || s[0] != '1' {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
