package e2e

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"kefu/internal/app"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/config"
	"kefu/internal/org"
	"kefu/internal/store"
)

// chromium finds the browser, or skips the test (fails it in CI).
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("KEFU_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium not found at %s (set KEFU_CHROMIUM); CI must run the browser tests: %v", path, err)
		}
		t.Skipf("browser test skipped: Chromium not found at %s (apt-get install chromium, or set KEFU_CHROMIUM)", path)
	}
	return path
}

// startKefu runs a real kefu (fresh SQLite data directory, admin password
// set) on a free 127.0.0.1 port until the test ends, and returns its URL and
// the application (so that a test can set up units and users the way an
// administrator would).
func startKefu(t *testing.T, ctx context.Context, adminPassword string) (string, *app.App) {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.AdminPassword = adminPassword
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatalf("open kefu: %v", err)
	}
	if err := a.Bootstrap(ctx, t.Output()); err != nil {
		a.Close()
		t.Fatalf("bootstrap: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return "http://" + ln.Addr().String(), a
}

// addUnit creates an organisational unit as the system; a nil ParentID puts
// it under the root.
func addUnit(t *testing.T, ctx context.Context, a *app.App, in org.CreateInput) org.Unit {
	t.Helper()
	actx := audit.WithActor(ctx, audit.System)
	if in.ParentID == nil {
		root, err := a.Org.Root(actx)
		if err != nil {
			t.Fatal(err)
		}
		in.ParentID = &root.ID
	}
	u, err := a.Org.Create(actx, in)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// addUser creates a user of unit with one role and agentPassword, as the
// system.
func addUser(t *testing.T, ctx context.Context, a *app.App, username, displayName string, role auth.Role, unit store.ID) auth.User {
	t.Helper()
	u, err := a.Auth.Create(audit.WithActor(ctx, audit.System), nil, auth.CreateUserInput{Username: username, Password: agentPassword,
		DisplayName: displayName, Roles: []auth.Role{role}, OrgUnit: unit})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// propertyCompany creates the property company 锦绣物业公司 (pack property)
// with its customer-service centre 客服中心, where the hotline agent 王芳
// (user hotline) works.
func propertyCompany(t *testing.T, ctx context.Context, a *app.App) (co, cs org.Unit) {
	t.Helper()
	co = addUnit(t, ctx, a, org.CreateInput{Kind: org.Company, Name: "锦绣物业公司", Code: "JX", Pack: "property"})
	cs = addUnit(t, ctx, a, org.CreateInput{ParentID: &co.ID, Kind: org.Department, Name: "客服中心"})
	addUser(t, ctx, a, "hotline", "王芳", auth.RoleCSAgent, cs.ID)
	return co, cs
}

// newBrowser starts headless Chromium with a fresh profile at 1366×768 and
// returns the context of its first tab.
func newBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return tab
}

// phoneTab opens a tab at phone width (390×844, touch) in a browser
// context of its own: no cookies, so nobody is signed in.
func phoneTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("phone tab: %v", err)
	}
	return tab
}

// fetch GETs url over net/http with the cookies the tab's browser holds
// for it (the session: a download the browser would save, say), redirects
// not followed, and returns the response with its body read.
func fetch(t *testing.T, tab context.Context, url string) (*http.Response, []byte) {
	t.Helper()
	sctx, cancel := context.WithTimeout(tab, 20*time.Second)
	defer cancel()
	cookies, err := chromedp.Run(sctx, func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
		return res.Cookies, err
	})
	if err != nil {
		t.Fatalf("cookies for %s: %v", url, err)
	}
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return res, body
}

// do runs browser steps, failing the test with the step's name. Each call
// gets its own deadline (waits poll until then; nothing sleeps), so a hang
// fails fast and says where. The tab must have been started already.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		lctx, lcancel := context.WithTimeout(ctx, 5*time.Second)
		defer lcancel()
		loc, _ := chromedp.Run(lctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v", step, loc, err)
	}
}

// text returns the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// evaluate returns the value of a JavaScript expression on the page.
func evaluate[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

func wantText(t *testing.T, ctx context.Context, sel string, want ...string) {
	t.Helper()
	got := text(t, ctx, sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s shows %q, want it to contain %q", sel, got, w)
		}
	}
}

// shot saves a full-page PNG screenshot as screenshots/<name>.png.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveShot(t, ctx, name, chromedp.FullScreenshot(100))
}

// shotView saves what the viewport shows (a phone's first screen, say) as
// screenshots/<name>.png.
func shotView(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveShot(t, ctx, name, chromedp.CaptureScreenshot())
}

func saveShot(t *testing.T, ctx context.Context, name string, capture chromedp.Action[[]byte]) {
	t.Helper()
	png, err := chromedp.Run(ctx, capture)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll("screenshots", 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("screenshots", name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// login fills and sends the sign-in form on the current page.
func login(t *testing.T, ctx context.Context, username, password string) {
	t.Helper()
	do(t, ctx, "sign in as "+username,
		chromedp.WaitVisible(chromedp.CSS("#f-username")),
		chromedp.SetValue(chromedp.CSS("#f-username"), username),
		chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")),
	)
}

// media emulates a CSS media type ("print"; "" ends the emulation).
func media(kind string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: kind})
		return chromedp.Void{}, err
	}
}
