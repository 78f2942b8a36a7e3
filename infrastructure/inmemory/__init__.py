"""In-memory adapters: first-class fakes for host applications' tests."""
