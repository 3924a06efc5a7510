"""`python -m bench` (`make bench`): roleport host figures against a naive baseline."""
