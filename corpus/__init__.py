"""The shipped demo corpus, as package data (MANIFEST.md: source and licence)."""
