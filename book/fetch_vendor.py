"""Fetch the JavaScript the book needs offline from the npm registry (``make vendor``).

Reads the pins in ``book/vendor.json``, runs ``npm pack NAME@VERSION`` for each package, checks
the tarball against the pinned sha512 integrity, and copies the listed files into
``book/vendor/`` (gitignored). Writes ``book/vendor/.versions`` last, so an interrupted fetch
runs again next time. Nothing fetched here is committed to the repository.

Usage: python book/fetch_vendor.py [--force]
"""
from __future__ import annotations

import base64
import glob
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINS = HERE / "vendor.json"
VENDOR = HERE / "vendor"
STAMP = VENDOR / ".versions"


def wanted() -> str:
    pins = json.loads(PINS.read_text(encoding="utf8"))["packages"]
    return "\n".join(f"{p['name']}@{p['version']} {p['integrity']}" for p in pins) + "\n"


def up_to_date() -> bool:
    return STAMP.is_file() and STAMP.read_text(encoding="utf8") == wanted()


def integrity_of(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(force: bool = False) -> None:
    if up_to_date() and not force:
        print("book/vendor is up to date")
        STAMP.touch()  # so make sees the stamp as newer than its prerequisites
        return
    pins = json.loads(PINS.read_text(encoding="utf8"))["packages"]
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        specs = [f"{p['name']}@{p['version']}" for p in pins]
        result = subprocess.run(["npm", "pack", "--silent", "--json", "--pack-destination",
                                 str(work), *specs], capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"npm pack failed:\n{result.stderr}")
        packed = {entry["id"]: work / entry["filename"] for entry in json.loads(result.stdout)}
        for pin in pins:
            spec = f"{pin['name']}@{pin['version']}"
            tgz = packed[spec]
            got = integrity_of(tgz)
            if got != pin["integrity"]:
                sys.exit(f"{spec}: integrity {got} does not match the pin in book/vendor.json")
            unpacked = work / pin["name"].replace("/", "__")
            with tarfile.open(tgz) as tar:
                tar.extractall(unpacked, filter="data")
            root = unpacked / "package"
            for rule in pin["copy"]:
                matches = [Path(m) for m in sorted(glob.glob(str(root / rule["from"])))]
                if not matches:
                    if rule.get("optional"):
                        continue
                    sys.exit(f"{spec}: nothing matches {rule['from']}")
                target = VENDOR / rule["to"]
                for match in matches:
                    dest = target / match.name if rule["to"].endswith("/") else target
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    if match.is_dir():
                        shutil.copytree(match, dest)
                    else:
                        shutil.copyfile(match, dest)
            print(f"fetched {spec}")
    STAMP.write_text(wanted(), encoding="utf8")


if __name__ == "__main__":
    fetch(force="--force" in sys.argv[1:])
