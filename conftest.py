"""Project-wide pytest set-up."""
