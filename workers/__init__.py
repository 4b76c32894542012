"""RQ's side of the Jobs port: queues, one-line job entry points, the worker and clock processes.

An adapter: imports rq and the domain; `main` and `clock` also compose the runtime.
"""
