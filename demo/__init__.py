"""`make demo` (python -m demo): roleport end to end against the local AWS stand-in."""
