"""Real-browser end-to-end suites (Chromium and Firefox ESR) and their browsers."""
