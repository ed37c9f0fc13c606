"""What the benchmarks in bench/ share (not a benchmark itself): production.py sets up PostgreSQL,
Redis and gunicorn as the README deploys them."""
