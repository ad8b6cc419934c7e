"""Vendor the sample app's front-end (Vue 3, Vuetify 3, axios, Tabler Icons) from npm.

    python scripts/vendor_sample_app_assets.py           # npm pack the pinned versions, copy
    python scripts/vendor_sample_app_assets.py --check   # the committed files match the manifest

An stk app serves its front-end from its own static folder, with no build step and no
CDN: the files below are committed under tests/sample_app/stk/static, as an stk project
commits them. `npm pack` fetches each package at the version pinned in PACKAGES (npm
checks the tarball against the registry's integrity hash); only the files the layout
loads are copied, with each package's licence. MANIFEST records every file's package,
version and sha256, so an edit by hand (or a checkout that rewrites line endings) shows:
the sample app's tests check the committed files against it, with no network.

To move to a new release, change a version here, run the script and review the diff.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "tests" / "sample_app" / "stk" / "static"
MANIFEST = STATIC / "vendor" / "MANIFEST.json"

# package, version, {path in the package: path under static/}
PACKAGES = (
    (
        "vue",
        "3.5.46",
        {
            "dist/vue.global.prod.js": "vendor/vue.global.prod.js",
            # The development build: the browser tests serve it, for Vue's warnings.
            "dist/vue.global.js": "vendor/vue.global.js",
            "LICENSE": "vendor/LICENSE-vue.txt",
        },
    ),
    (
        "vuetify",
        "3.13.5",
        {
            "dist/vuetify.min.js": "vendor/vuetify.min.js",
            "dist/vuetify.min.css": "vendor/vuetify.min.css",
            "LICENSE.md": "vendor/LICENSE-vuetify.txt",
        },
    ),
    (
        "axios",
        "1.21.1",
        {
            "dist/axios.min.js": "vendor/axios.min.js",
            "LICENSE": "vendor/LICENSE-axios.txt",
        },
    ),
    (
        # The stylesheet lists woff2 first: every current browser loads that one only.
        "@tabler/icons-webfont",
        "3.49.0",
        {
            "dist/tabler-icons.min.css": "icons/tabler-icons.min.css",
            "dist/fonts/tabler-icons.woff2": "icons/fonts/tabler-icons.woff2",
            "LICENSE": "icons/LICENSE-tabler-icons.txt",
        },
    ),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_pack(spec: str, directory: Path) -> Path:
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(directory)],
        check=True,
        capture_output=True,
        text=True,
    )
    return directory / json.loads(result.stdout)[0]["filename"]


def vendor() -> dict[str, dict[str, str]]:
    manifest = {}
    with tempfile.TemporaryDirectory(prefix="stk-vendor-") as temp:
        for package, version, files in PACKAGES:
            tarball = npm_pack(f"{package}@{version}", Path(temp))
            with tarfile.open(tarball) as archive:
                for inside, target in files.items():
                    member = archive.extractfile(f"package/{inside}")
                    if member is None:
                        raise SystemExit(f"{package}@{version} has no {inside}")
                    data = member.read()
                    destination = STATIC / target
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(data)
                    manifest[target] = {
                        "package": package,
                        "version": version,
                        "sha256": sha256(data),
                    }
                    print(f"{package}@{version} {inside} -> static/{target}")
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def check() -> list[str]:
    """What differs between the committed files and the manifest (empty when they match)."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    pinned = {
        target: f"{package}@{version}"
        for package, version, files in PACKAGES
        for target in files.values()
    }
    problems = []
    if set(manifest) != set(pinned):
        problems.append(f"the manifest lists {sorted(manifest)}, the script {sorted(pinned)}")
    for target, entry in sorted(manifest.items()):
        path = STATIC / target
        if f"{entry['package']}@{entry['version']}" != pinned.get(target):
            problems.append(f"static/{target}: manifest says {entry['package']}@{entry['version']}")
        if not path.is_file():
            problems.append(f"static/{target} is missing")
        elif sha256(path.read_bytes()) != entry["sha256"]:
            problems.append(f"static/{target} differs from {entry['package']}@{entry['version']}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare the committed files with the manifest"
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    vendor()
    print(f"wrote {MANIFEST}: review the diff")
    return 0


if __name__ == "__main__":
    sys.exit(main())
