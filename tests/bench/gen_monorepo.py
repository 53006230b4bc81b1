#!/usr/bin/env python3
"""Writes a deterministic monorepo workload for the affected-services benchmark.

usage: gen_monorepo.py SERVICES CHANGED HOT SEED [OUT.json]   (stdout without OUT)

The workload is {"services": [{"name", "include", "exclude"}], "changed": [path, ...]}:
- service i is `svc<i>` in one of 20 domains, with 5 include globs (its source folder, its chart
  folder, and 3 of 50 shared libraries) and 2 exclude globs (`**/*.md` and its docs folder);
- CHANGED paths, mostly inside HOT services (some of them docs or Markdown, which the excludes
  drop), some in charts, some outside every service; plus two files in shared libraries, which
  affect every service that includes those libraries.
A service is affected iff some changed path matches one of its includes and none of its
excludes (GitHub Actions globs: `*` within a segment, `**` across segments, dotfiles match).
The same arguments always give the same bytes.
"""
import json
import random
import sys

DOMAINS = 20
LIBRARIES = 50
LIBS_PER_SERVICE = 3
EXTENSIONS = (".cs", ".go", ".md", ".json", ".yaml", ".py", ".ts", "")
SUBFOLDERS = ("", "docs/", "internal/", "pkg/handlers/", "test/", ".config/")
OUTSIDE = ("docs", "tools", ".github/workflows", "scripts/ci")


def generate(services: int, changed: int, hot: int, seed: int) -> dict:
    rng = random.Random(seed)
    libs = [f"lib{j:02d}" for j in range(LIBRARIES)]
    svcs = []
    for i in range(services):
        name = f"svc{i:04d}"
        domain = f"domain{i % DOMAINS:02d}"
        shared = sorted(rng.sample(libs, LIBS_PER_SERVICE))
        svcs.append(
            {
                "name": name,
                "domain": domain,
                "include": [f"src/{domain}/{name}/**", f"charts/{name}/**"]
                + [f"libs/{lib}/**" for lib in shared],
                "exclude": ["**/*.md", f"src/{domain}/{name}/docs/**"],
            }
        )
    hot_services = rng.sample(svcs, min(hot, services))
    paths = []
    for k in range(changed):
        roll = rng.random()
        ext = rng.choice(EXTENSIONS)
        if roll < 0.85:
            s = rng.choice(hot_services)
            paths.append(f"src/{s['domain']}/{s['name']}/{rng.choice(SUBFOLDERS)}f{k}{ext}")
        elif roll < 0.93:
            s = rng.choice(hot_services)
            paths.append(f"charts/{s['name']}/templates/t{k}.yaml")
        else:
            paths.append(f"{rng.choice(OUTSIDE)}/x{k}{ext}")
    for j, lib in enumerate(rng.sample(libs, 2)):
        paths.insert(rng.randrange(len(paths) + 1), f"libs/{lib}/src/shared{j}.cs")
    for s in svcs:
        del s["domain"]
    return {"services": svcs, "changed": paths}


def main(argv: list) -> int:
    if len(argv) not in (5, 6):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    services, changed, hot, seed = (int(a) for a in argv[1:5])
    text = json.dumps(generate(services, changed, hot, seed), separators=(",", ":"))
    if len(argv) == 6:
        with open(argv[5], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
