"""The benchmark harness: a generator, a bare baseline app and the load scenarios.

`python -m bench --tickets N` starts its own PostgreSQL cluster, Redis and SMTP sink, loads N
tickets, serves the product and the baseline under gunicorn, loads both with wrk and writes
bench/RESULTS.md. It never touches the machine's shared PostgreSQL or Redis.
"""
