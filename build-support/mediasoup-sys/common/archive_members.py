#!/usr/bin/env python3
"""List or extract the members of a static library (a GNU `ar` archive).

Used by the shims that repackage a Debian static library (libssl.a, libcrypto.a,
libsrtp2.a) as objects of a meson static_library, so that the worker's meson.build
can `link_whole` them into libmediasoup-worker.a like the libraries it would have
built from the downloaded sources:

    archive_members.py list ARCHIVE            member names, one per line (configure time)
    archive_members.py extract ARCHIVE OUTDIR  write every member into OUTDIR (build time)

Meson needs the output names at configure time, hence `list`; member names must
be unique (they are in Debian's archives; this fails loudly otherwise).
"""

import os
import sys


def members(path):
    """(name, bytes) of each member, in archive order."""
    with open(path, "rb") as handle:
        data = handle.read()
    if not data.startswith(b"!<arch>\n"):
        sys.exit(f"{path}: not an ar archive (thin archives are not supported)")
    offset = 8
    long_names = b""
    while offset < len(data):
        header = data[offset:offset + 60]
        if len(header) < 60 or header[58:60] != b"`\n":
            sys.exit(f"{path}: bad member header at offset {offset}")
        raw_name = header[0:16].rstrip(b" ")
        size = int(header[48:58].decode("ascii").strip())
        body = data[offset + 60:offset + 60 + size]
        offset += 60 + size + (size % 2)
        if raw_name in (b"/", b"/SYM64/"):
            continue  # symbol table
        if raw_name == b"//":
            long_names = body
            continue
        if raw_name.startswith(b"/") and raw_name[1:].isdigit():
            start = int(raw_name[1:])
            end = long_names.index(b"/\n", start)
            name = long_names[start:end]
        elif raw_name.endswith(b"/"):
            name = raw_name[:-1]
        else:
            sys.exit(f"{path}: unsupported member name {raw_name!r}")
        yield name.decode("utf-8"), body


def checked_members(path):
    result = list(members(path))
    names = [name for name, _ in result]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        sys.exit(f"{path}: members with the same name cannot be extracted apart: {duplicates}")
    for name in names:
        if "/" in name or name in (".", ".."):
            sys.exit(f"{path}: unsafe member name {name!r}")
    return result


def main(argv):
    if len(argv) == 3 and argv[1] == "list":
        for name, _ in checked_members(argv[2]):
            print(name)
    elif len(argv) == 4 and argv[1] == "extract":
        os.makedirs(argv[3], exist_ok=True)
        for name, body in checked_members(argv[2]):
            with open(os.path.join(argv[3], name), "wb") as out:
                out.write(body)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
