"""roleport's installer: registers the native messaging host with browsers."""
