"""Small helpers shared by every app: environment readers, text folding, API errors."""
