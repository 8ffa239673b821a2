"""Write the API reference pages (docs/api/*.md) for mkdocs: one page per package of
``src/wordvec``, with a ``::: module`` block (mkdocstrings) for each of its public modules, and
one page for the command line. Run by ``make docs`` before ``mkdocs build``, so that a new
module appears without editing anything."""
from __future__ import annotations

import pkgutil
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "api"


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    import wordvec

    modules: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(wordvec.__path__, "wordvec."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]):
            continue  # __main__ and private modules
        group = parts[1] if info.ispkg or len(parts) > 2 else "wordvec"
        modules.setdefault(group, []).append(info.name)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for group, names in sorted(modules.items()):
        title = "wordvec (top level)" if group == "wordvec" else f"wordvec.{group}"
        lines = [f"# {title}", ""]
        for name in sorted(names):
            lines += [f"::: {name}", ""]
        (OUT / f"{group}.md").write_text("\n".join(lines))
    print(f"wrote {len(modules)} pages, {sum(map(len, modules.values()))} modules, into {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
