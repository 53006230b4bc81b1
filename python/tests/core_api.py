"""Lists the public operations of the Rust core: every `pub fn` in core/src, by module and type.

    python python/tests/core_api.py            # one `module::Type::fn` a line

A light scanner, not a Rust parser, written for the core's own layout (rustfmt'd code): public
modules are the `pub mod` lines of lib.rs; an `impl` at column 0 opens a type's block, whose
methods sit at 4 spaces; free functions sit at column 0; a file's `#[cfg(test)]` module is last.
`pub(crate)` and private functions are not API.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CORE_SRC = Path(__file__).resolve().parents[2] / "core" / "src"

IMPL = re.compile(r"^impl(?:<[^>]*>)?\s+(?:[\w:]+(?:<[^>]*>)?\s+for\s+)?(\w+)")
FREE_FN = re.compile(r"^pub (?:const )?(?:async )?fn (\w+)")
METHOD = re.compile(r"^    pub (?:const )?(?:async )?fn (\w+)")


def core_operations(src: Path = CORE_SRC) -> list[str]:
    lib = (src / "lib.rs").read_text(encoding="utf-8")
    public = set(re.findall(r"^pub mod (\w+);", lib, re.M))
    found: list[str] = []
    for path in sorted(src.rglob("*.rs")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "mod":
            parts.pop()
        if not parts or parts[0] not in public:
            continue
        module = "::".join(parts)
        current: str | None = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#[cfg(test)]"):
                break
            if m := IMPL.match(line):
                current = m.group(1)
            elif m := FREE_FN.match(line):
                found.append(f"{module}::{m.group(1)}")
            elif (m := METHOD.match(line)) and current:
                found.append(f"{module}::{current}::{m.group(1)}")
    return found


if __name__ == "__main__":
    sys.stdout.write("".join(f"{op}\n" for op in core_operations()))
