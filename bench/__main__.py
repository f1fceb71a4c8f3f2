"""`make bench`: every benchmark in turn, each printing the figures quoted in the README."""

from bench import briefings as briefings_bench
from bench import forecasts as forecasts_bench
from bench import foundation
from bench import ledger as ledger_bench
from bench import parsing as parsing_bench
from bench import targets as targets_bench

if __name__ == "__main__":
    print("== foundation ==")
    foundation.main([])
    print("== ledger ==")
    ledger_bench.main([])
    print("== parsing: the corpus against its gold, and speed ==")
    parsing_bench.main([])
    print("== targets ==")
    targets_bench.main([])
    print("== forecasts: the nowcast replayed on real published series (bench/series) ==")
    forecasts_bench.main([])
    print("== briefings and the dashboard ==")
    briefings_bench.main([])  # each part in its own process and fresh database
