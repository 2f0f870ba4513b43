"""Benchmarks, run by hand: `python -m bench` runs every row of the
performance table against Node.js 20 (bench/all.py); the scripts beside it
measure one thing each, in more detail."""
