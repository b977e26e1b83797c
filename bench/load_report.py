"""The figures of bench/load.py: throughput, p50/p99 per kind of request, errors, and what the
clients saw while the database was cut and after it came back."""

from collections import Counter
from dataclasses import dataclass

# Answers a client of the mix expects; anything else (412, 5xx, timeouts …) is an error.
EXPECTED = frozenset({"200", "201", "304"})


@dataclass(frozen=True)
class Sample:
    kind: str
    at: float  # when it was sent, in s from the start of the run
    seconds: float  # how long its answer took
    status: str  # the HTTP status, or "timeout", or the transport error's name


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def throughput(samples: list[Sample]) -> float:
    """Answers (of any status) per second over the time from the first send to the last answer."""
    answered = [s for s in samples if s.status[:3].isdigit()]
    span = max((s.at + s.seconds for s in answered), default=0.0)
    return len(answered) / span if span else 0.0


def latencies(samples: list[Sample]) -> tuple[float, float]:
    """p50 and p99 in ms of the answered ones."""
    times = [s.seconds * 1000 for s in samples if s.status[:3].isdigit()]
    return percentile(times, 0.5), percentile(times, 0.99)


def report(
    title: str, rate: float, seconds: float, samples: list[Sample], reference: list[Sample]
) -> None:
    ref_rate = throughput(reference)
    ref_p50, ref_p99 = latencies(reference)
    errors = sum(s.status not in EXPECTED for s in samples)
    rate_now = throughput(samples)
    print(f"\n{title}: {len(samples)} arrivals at {rate:g}/s for {seconds:g} s")
    print(
        f"  reference (bare Starlette hello, same generator and rate): {ref_rate:.1f}/s, "
        f"p50 {ref_p50:.1f} ms, p99 {ref_p99:.1f} ms"
    )
    print(
        f"  throughput {rate_now:.1f}/s ({rate_now / ref_rate:.0%} of the reference), "
        f"errors {errors}"
    )
    print(
        f"  {'kind':<8}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'p50 ×ref':>10}{'p99 ×ref':>10}"
        "  statuses"
    )
    for kind in ("poll", "list", "update", "import"):
        mine = [s for s in samples if s.kind == kind]
        p50, p99 = latencies(mine)
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(Counter(s.status for s in mine).items()))
        figures = (
            f"{p50:>9.1f}{p99:>9.1f}{p50 / ref_p50:>10.1f}{p99 / ref_p99:>10.1f}"
            if p50
            else f"{'none answered':>38}"
        )
        print(f"  {kind:<8}{len(mine):>7}{figures}  {statuses}")


def outage_report(samples: list[Sample], window: tuple[float, float], limit: float) -> None:
    start, end = window
    during = [s for s in samples if start <= s.at < end]
    after = sorted((s for s in samples if s.at >= end), key=lambda s: s.at)
    counts = Counter(s.status for s in during)
    slowest = max((s.seconds for s in during), default=0.0)
    print(f"  database cut from {start:g} s to {end:g} s:")
    print(f"    sent while down: {dict(sorted(counts.items()))}")
    print(f"    500s while down: {counts['500']}; slowest answer {slowest:.2f} s (limit {limit:g})")
    bad = [s for s in after if s.status not in EXPECTED]
    good = next((s for s in after if s.status in EXPECTED), None)
    first = f"{good.at - end:.2f} s" if good else "never"
    print(f"    after the relay came back: first success sent {first} later")
    if bad:
        last = bad[-1]
        print(
            f"    {len(bad)} failures after it ({dict(Counter(s.status for s in bad))}); "
            f"the last sent {last.at - end:.2f} s after: full service from then on"
        )
    else:
        print("    no failure after it: full service at once")
