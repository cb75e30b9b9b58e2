// Package e2e holds kefu's browser tests: they start a real kefu in-process
// on 127.0.0.1 and drive it with headless Debian Chromium through chromedp
// (/usr/bin/chromium, or $KEFU_CHROMIUM). Without Chromium they skip, except
// in CI (CI=true), where they fail. Screenshots go to e2e/screenshots/
// (gitignored) for people to look at.
package e2e
