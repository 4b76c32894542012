"""Write docs/benchmarks.md and its plots from the figures in bench/results/.

    python -m bench.report

Each benchmark writes its figures as JSON into bench/results/ (see bench/README.md); this
turns them into the published report, with the hand-written analysis kept in
bench/report_notes.md (one `## key` section per place it goes).
"""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.harness import ROOT, percentile
from bench.line_scale import by_size

RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs"
NOTES = ROOT / "bench" / "report_notes.md"


def load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def measured_on(results: dict[str, dict | None]) -> str:
    """Say which commit the figures were measured on, taking each result's commit off it."""
    commits = {name: got.pop("commit", "unknown") for name, got in results.items() if got}
    if len(set(commits.values())) == 1:
        return f"**Every figure below was measured on commit `{next(iter(commits.values()))}`.**"
    listed = ", ".join(f"{name} on `{commit}`" for name, commit in commits.items())
    return f"**The figures come from different commits**: {listed}."


def notes() -> dict[str, str]:
    if not NOTES.exists():
        return {}
    sections = re.split(r"^## (\S+)\n", NOTES.read_text(), flags=re.M)
    return {key: body.strip() for key, body in zip(sections[1::2], sections[2::2], strict=True)}


def save(figure, name: str) -> str:
    figure.tight_layout()
    figure.savefig(DOCS / name, dpi=110)
    plt.close(figure)
    return name


# Plots.


def plot_webhooks(figures: dict) -> str:
    names = list(figures)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    x = range(len(names))
    bars = (
        ("bare", "bare Flask, constant TwiML"),
        ("durable", "durable: signature, caller tag, one row, one Redis call"),
        ("warmline", "warmline"),
    )
    for offset, (endpoint, label) in zip((-0.27, 0, 0.27), bars, strict=True):
        rps = [figures[n][endpoint]["rps"] for n in names]
        left.bar([i + offset for i in x], rps, 0.27, label=label)
    left.set_xticks(list(x), names)
    left.set_ylabel("requests/s (wrk, 32 connections)")
    left.set_yscale("log")
    left.legend(fontsize=8)
    left.set_title("Throughput at full load")
    p99 = [figures[n]["steady_100"]["p99_ms"] for n in names]
    p50 = [figures[n]["steady_100"]["p50_ms"] for n in names]
    right.bar([i - 0.2 for i in x], p50, 0.4, label="p50")
    right.bar([i + 0.2 for i in x], p99, 0.4, label="p99")
    right.axhline(50, color="red", linestyle="--", linewidth=1, label="voice target p99 50 ms")
    right.set_xticks(list(x), names)
    right.set_ylabel("ms")
    right.set_title("Latency at a steady 100 requests/s")
    right.legend(fontsize=8)
    return save(figure, "bench-webhooks.png")


def plot_line_scale(figures: dict) -> str:
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for axis, kind in zip(axes, ("enqueue", "position", "claim"), strict=True):
        for layout, label in (("lines_1", "one line"), ("lines_100", "100 lines")):
            rows = by_size(figures[layout][kind], buckets=20)
            xs = [(row["from"] + row["to"]) / 2 + 1 for row in rows]
            axis.plot(xs, [row["p50"] for row in rows], marker=".", label=f"{label} p50")
            axis.plot(xs, [row["p99"] for row in rows], linestyle=":", label=f"{label} p99")
        axis.set_title(f"{kind} (round trip, µs)")
        axis.set_xlabel("contacts already waiting on that line (+1, log)")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.legend(fontsize=7)
    return save(figure, "bench-line-scale.png")


def plot_dispatch(latencies: list[float]) -> str:
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.hist(latencies, bins=60)
    left.set_xlabel("ms, caller joins the line → REST request ringing the specialist")
    left.set_ylabel("contacts")
    left.axvline(300, color="red", linestyle="--", linewidth=1, label="target p99 300 ms")
    left.legend(fontsize=8)
    ordered = sorted(latencies)
    right.plot(ordered, [i / len(ordered) for i in range(len(ordered))])
    right.axvline(300, color="red", linestyle="--", linewidth=1)
    right.set_xlabel("ms")
    right.set_ylabel("share of contacts at or below")
    right.set_title("cumulative")
    return save(figure, "bench-dispatch.png")


def plot_day(result: dict, name: str, title: str) -> str:
    timeline = result["timeline"]
    figure, axis = plt.subplots(figsize=(10, 3.6))
    real = [row["real"] for row in timeline]
    axis.plot(real, [row["waiting"] or 0 for row in timeline], label="waiting in line (Redis)")
    axis.plot(real, [row["active"] for row in timeline], label="callers/texters in contact")
    axis.plot(real, [row["busy_specialists"] for row in timeline], label="specialists busy")
    for fault in result.get("faults", []):
        if fault["fault"] == "sigkill":
            axis.axvline(fault["at"], color="grey", linewidth=0.6, linestyle=":")
        else:
            end = fault["at"] + fault.get("seconds", 0)
            axis.axvspan(fault["at"], end, color="red", alpha=0.15)
            axis.text(fault["at"], axis.get_ylim()[1] * 0.9, fault["fault"], fontsize=7)
    axis.set_xlabel("real seconds (grey dotted: a worker SIGKILLed; red: an outage)")
    axis.set_title(title)
    axis.legend(fontsize=8)
    return save(figure, name)


def plot_rss(samples: list[dict]) -> str:
    figure, axis = plt.subplots(figsize=(10, 3.6))
    names = sorted({name for row in samples for name in row["processes"]})
    for process in names:
        points = [
            (row["t"] / 60, row["processes"][process]["rss"] / 2**20)
            for row in samples
            if process in row["processes"]
        ]
        axis.plot([p[0] for p in points], [p[1] for p in points], label=process)
    axis.set_xlabel("minutes")
    axis.set_ylabel("RSS, MiB")
    axis.set_title("Resident memory during the soak")
    axis.legend(fontsize=7, ncol=3)
    return save(figure, "bench-soak-rss.png")


# Text.


def machine_table(machine: dict) -> str:
    rows = [
        ("CPUs (nproc)", machine["nproc"]),
        ("CPU model", machine["cpu_model"]),
        ("Memory", f"{machine['memory_gib']} GiB"),
        ("OS, kernel", f"{machine['os']}, {machine['kernel']}"),
        ("Python", machine["python"]),
        ("PostgreSQL", machine["postgresql"]),
        ("Redis", machine["redis"]),
        ("Load generator", machine["wrk"]),
        ("Load average when described", machine["load_average"]),
    ]
    return "\n".join(["| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in rows]])


# Warmline's throughput against the durable endpoint's that each webhook must reach.
DURABLE_TARGETS = {"voice incoming": 0.7, "voice status": 0.8}


def webhook_table(figures: dict) -> str:
    lines = [
        "| endpoint | bare req/s | durable req/s | warmline req/s | ratio to bare "
        "| ratio to durable (target) | warmline p50 / p99 at full load "
        "| p50 / p99 at 100 req/s (voice target p99 < 50 ms) | errors | load average before |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, f in figures.items():
        target = DURABLE_TARGETS.get(name)
        wanted = f" (≥ {target})" if target else ""
        lines.append(
            f"| {name} | {f['bare']['rps']:.0f} | {f['durable']['rps']:.0f} "
            f"| {f['warmline']['rps']:.0f} | {f['ratio']:.2f} | {f['ratio_durable']:.2f}{wanted} "
            f"| {f['warmline']['p50_ms']:.0f} / {f['warmline']['p99_ms']:.0f} ms "
            f"| {f['steady_100']['p50_ms']:.1f} / {f['steady_100']['p99_ms']:.1f} ms "
            f"| {f['warmline']['errors']} | {f['load_before']} |"
        )
    return "\n".join(lines)


def line_scale_table(figures: dict) -> str:
    lines = [
        "| layout | enqueue p50 / p99 (µs) | position p50 / p99 (µs) | claim p50 / p99 (µs) "
        "| memory per waiting contact |",
        "|---|---|---|---|---|",
    ]
    for layout, label in (("lines_1", "1 line"), ("lines_100", "100 lines")):
        f = figures[layout]
        cells = []
        for kind in ("enqueue", "position", "claim"):
            values = [v for _, v in f[kind]]
            cells.append(f"{percentile(values, 0.5):.0f} / {percentile(values, 0.99):.0f}")
        lines.append(
            f"| {label}: {f['contacts']:,} waiting, {f['specialists']:,} specialists "
            f"| {' | '.join(cells)} | {f['memory_bytes_per_contact']:.0f} B "
            f"(hash {f['memory_usage_contact_hash']} B + zset "
            f"{f['memory_usage_waiting_zset_per_member']:.0f} B) |"
        )
    return "\n".join(lines)


def day_section(result: dict, title: str) -> str:
    zero = result["zero"]
    rows = [
        "| must be zero | count |",
        "|---|---|",
        *[f"| {k.replace('_', ' ')} | **{v}** |" for k, v in zero.items()],
    ]
    wait = result["wait_sim_seconds"]
    text_wait = result.get("text_wait_db_seconds", {})
    options = result["options"]
    people = result["people"]
    simulator_errors = result["details"]["simulator_errors"]
    return "\n".join(
        [
            f"Run: `{title}` — {people['callers']} callers and {people['texters']} texters "
            f"(crisis: {result['crisis']['callers_signalled']} callers pressed 9, "
            f"{result['crisis']['texters']} crisis texters), {options['specialists']} specialists, "
            f"{options['workers']} workers, arrivals every {options['interval']} simulated s on "
            f"average, simulator clock at {options['speed']}x real time. "
            f"{result['real_seconds']:.0f} real s, {result['simulated_seconds']:.0f} simulated s.",
            "",
            *rows,
            "",
            f"- Answer rate: {result['answer_rate_calls']:.1%} of all calls reached a specialist; "
            f"{result['answer_rate_calls_that_held']:.1%} of callers who held (did not hang up by "
            f"choice nor press 9). {result['abandoned_by_choice']} callers hung up by choice; "
            f"{result['texts_taken']} texts taken by a specialist.",
            f"- Wait before a specialist, simulated seconds: p50 {wait.get('p50', 0):.0f}, "
            f"p90 {wait.get('p90', 0):.0f}, p99 {wait.get('p99', 0):.0f}, max "
            f"{wait.get('max', 0):.0f} (n={wait['n']}). Texts, real seconds recorded by the app: "
            f"p50 {text_wait.get('p50', 0)}, p90 {text_wait.get('p90', 0)}.",
            f"- Outcomes recorded: {', '.join(f'{k} {v}' for k, v in result['outcomes'].items())}.",
            f"- Events: {', '.join(f'{k} {v}' for k, v in sorted(result['events'].items()))}.",
            f"- Simulator (Twilio debugger) errors: {simulator_errors or 'none'}.",
        ]
    )


def privacy_section(privacy: dict) -> str:
    scanned, hits = privacy["scanned"], privacy["hit_counts"]
    return "\n".join(
        [
            f"Scanned: a full `pg_dump` ({scanned['database_dump_bytes']:,} bytes), "
            f"{scanned['redis_keys']:,} Redis keys with every value ({scanned['redis_bytes']:,} "
            f"bytes, RQ's compressed job data decompressed), {scanned['log_files']} process logs "
            f"({scanned['log_lines']:,} lines). Looked for {scanned['numbers']:,} simulated "
            f"numbers in E.164, digits-only and national layouts, {scanned['texts']:,} message "
            f"texts whole and {scanned['markers']:,} per-message unique words.",
            "",
            "| looked for | hits |",
            "|---|---|",
            f"| phone numbers, any format | **{hits['numbers']}** |",
            f"| message texts | **{hits['texts']}** |",
            f"| per-message unique words | **{hits['markers']}** |",
        ]
    )


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    text = notes()
    results = {
        name: load(name)
        for name in ("machine", "webhooks", "line_scale", "dispatch", "busy_day", "faults", "soak")
    }
    commits = measured_on(results)
    machine, webhooks, scale, dispatch, day, faults, soak = results.values()
    out = ["# Benchmarks", "", text.get("intro", ""), "", commits, ""]
    out += ["## The machine", "", machine_table(machine) if machine else "(not described)", ""]
    out += [text.get("machine", ""), ""]
    out += ["## Headline figures", "", text.get("headline", ""), ""]
    if webhooks:
        out += ["## 1. Webhook throughput and latency", "", text.get("webhooks_how", ""), ""]
        out += [webhook_table(webhooks), "", f"![webhooks]({plot_webhooks(webhooks)})", ""]
        out += [text.get("webhooks", ""), ""]
    if scale:
        out += ["## 2. Scale of the waiting line", "", text.get("scale_how", ""), ""]
        out += [line_scale_table(scale), "", f"![line scale]({plot_line_scale(scale)})", ""]
        mismatch = scale["language_mismatch"]["claim_us"]
        out += [
            f"- Claim when the first 1,000 waiting speak a language no free specialist speaks "
            f"(1,000 free specialists): p50 {mismatch['p50'] / 1000:.1f} ms, p99 "
            f"{mismatch['p99'] / 1000:.1f} ms; a caller behind them was found: "
            f"{scale['language_mismatch']['found_an_english_caller']}.",
            *[
                f"- A caller behind {probe['texts_ahead']:,} waiting texts is offered a phone: "
                f"{probe['caller_offered']} ({probe['claim_us']:.0f} µs)."
                for probe in scale["calls_behind_texts"]
            ],
            "",
            text.get("scale", ""),
            "",
        ]
    if dispatch:
        latencies = dispatch["latencies_ms"]
        out += ["## 3. Dispatch latency", "", text.get("dispatch_how", ""), ""]
        out += [
            f"{len(latencies):,} contacts: p50 {percentile(latencies, 0.5):.0f} ms, p90 "
            f"{percentile(latencies, 0.9):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms, "
            f"max {max(latencies):.0f} ms (target p99 < 300 ms).",
            "",
            f"![dispatch]({plot_dispatch(latencies)})",
            "",
            text.get("dispatch", ""),
            "",
        ]
    if day:
        out += ["## 4. A busy day", "", text.get("day_how", ""), ""]
        out += [day_section(day, text.get("day_command", "python -m bench.busy_day")), ""]
        out += [f"![busy day]({plot_day(day, 'bench-busy-day.png', 'A busy day')})", ""]
        out += [text.get("day", ""), ""]
    if soak:
        out += ["## 5. Soak", "", text.get("soak_how", ""), ""]
        out += [f"![soak rss]({plot_rss(soak['rss'])})", "", soak_table(soak["memory"]), ""]
        out += [text.get("soak", ""), ""]
    if faults:
        out += ["## 6. Faults during the busy day", "", text.get("faults_how", ""), ""]
        out += [day_section(faults, text.get("faults_command", "python -m bench.busy_day")), ""]
        out += [
            "Faults injected (real seconds after the first arrival): "
            + "; ".join(
                f"{f['fault']} at {f['at']:.0f} s"
                + (f" for {f['seconds']:.0f} s" if "seconds" in f else f" ({f['process']})")
                for f in faults["faults"]
            )
            + ".",
            "",
            f"![faults]({plot_day(faults, 'bench-faults.png', 'A busy day with faults')})",
            "",
            text.get("faults", ""),
            "",
        ]
    if day and "privacy" in day:
        out += ["## 7. Privacy audit after the busy day", "", text.get("privacy_how", ""), ""]
        out += [privacy_section(day["privacy"]), ""]
        if faults and "privacy" in faults:
            out += ["After the day with faults:", "", privacy_section(faults["privacy"]), ""]
        out += [text.get("privacy", ""), ""]
    out += ["## What we found", "", text.get("findings", ""), ""]
    out += ["## Scaled down or left out", "", text.get("scaled", ""), ""]
    body = "\n".join(out)
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    (DOCS / "benchmarks.md").write_text(body)
    print(f"wrote {DOCS / 'benchmarks.md'}")


def soak_table(memory: dict) -> str:
    """Every process's median RSS after the warm-up and at the end of the arrivals."""
    lines = [
        f"After {memory['start_seconds'] / 60:.0f} minutes of warm-up; medians over "
        f"{memory['window_seconds']:.0f} s; flat means within {memory['flat_within']:.0%}.",
        "",
        "| process | RSS after warm-up (MiB) | RSS at the end (MiB) | change | flat |",
        "|---|---|---|---|---|",
    ]
    for name, row in memory["processes"].items():
        if not row["up_throughout"]:
            lines.append(f"| {name} | | | not up throughout | |")
            continue
        lines.append(
            f"| {name} | {row['rss_start_mib']:.1f} | {row['rss_end_mib']:.1f} "
            f"| {row['change']:+.1%} | {'yes' if row['flat'] else '**no**'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
