"""Peer for the affected-services benchmark: Python's pathspec, one spec per service, as a
release script written in Python would evaluate the rule.

usage: python peer_pathspec.py WORKLOAD.json
prints {"impl": "pathspec", "affected": [sorted names], "ms": evaluation time}
"""
import json
import sys
import time

import pathspec


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        workload = json.load(f)
    start = time.perf_counter()
    affected = []
    for service in workload["services"]:
        included = pathspec.PathSpec.from_lines("gitwildmatch", service["include"])
        excluded = pathspec.PathSpec.from_lines("gitwildmatch", service["exclude"])
        if any(included.match_file(p) and not excluded.match_file(p) for p in workload["changed"]):
            affected.append(service["name"])
    ms = (time.perf_counter() - start) * 1e3
    affected.sort()
    print(json.dumps({"impl": "pathspec", "affected": affected, "ms": ms}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
