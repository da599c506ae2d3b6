"""scribe audit verify [--pin SEQ:HASH] | show ID [--json]: check the tamper-evident trail (against
its checkpoint file and the "Audit chain" line of exported notes), list a visit's events."""

from __future__ import annotations

from scribe.cli.common import open_store, print_json


def register(sub) -> None:
    p = sub.add_parser("audit", help="verify the audit trail or show a visit's events")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION")
    asub.required = True
    v = asub.add_parser("verify", help="check every event's hash chain against its checkpoint "
                                       "(exit 1 if broken)")
    v.add_argument("--pin", action="append", default=[], metavar="SEQ:HASH",
                   help="the 'Audit chain' line of an exported note, to check the trail against "
                        "(repeatable)")
    v.set_defaults(func=run_verify)
    s = asub.add_parser("show", help="list a visit's audit events")
    s.add_argument("id")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=run_show)


def run_verify(args) -> int:
    result = open_store().verify_audit(tuple(args.pin))
    print(result.message())
    return 0 if result.ok else 1


def run_show(args) -> int:
    store = open_store()
    enc = store.find(args.id)
    events = store.audit_events(enc.id)
    if args.json:
        print_json([{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                     "detail": e.detail} for e in events])
        return 0
    for e in events:
        when = e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        detail = f"  {e.detail}" if e.detail else ""
        print(f"{e.seq:>6}  {when}  {e.actor:<8}  {e.action}{detail}")
    return 0
