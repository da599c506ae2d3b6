"""scribe stats [--json]: per visit, how much the clinician changed the engine's draft."""

from __future__ import annotations

from scribe.cli.common import open_store, print_json
from scribe.note.edit_stats import visit_stats


def register(sub) -> None:
    p = sub.add_parser("stats", help="edit distance between each draft and its signed note")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_stats)


def run_stats(args) -> int:
    store = open_store()
    rows = [s for s in (visit_stats(store, e) for e in store.list()) if s is not None]
    if args.json:
        print_json([r.to_dict() for r in rows])
        return 0
    if not rows:
        print("No drafted visits yet.")
        return 0
    print(f"{'visit':<32}  {'status':<10} {'draft':>6} {'signed':>6} {'edits':>6} {'changed':>8}")
    for r in rows:
        print(f"{r.id:<32}  {r.status:<10} {r.draft_words:>6} {r.final_words:>6} "
              f"{r.distance:>6} {r.share_changed:>8.1%}")
    signed = [r for r in rows if r.status == "signed"]
    if signed:
        mean = sum(r.share_changed for r in signed) / len(signed)
        print(f"\n{len(signed)} signed note(s); mean share of words changed {mean:.1%}.")
    return 0
