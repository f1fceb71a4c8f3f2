"""`make bench`: every benchmark in turn, each printing the figures quoted in the README."""

from bench import foundation

if __name__ == "__main__":
    print("== foundation ==")
    foundation.main([])
