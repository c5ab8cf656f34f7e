"""weifen."""
