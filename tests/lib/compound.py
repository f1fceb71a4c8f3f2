"""A small writer of OLE2 compound files (MS-CFB, version 3) for the attachment tests.

olefile reads compound files but cannot create them, and the cases the checks must refuse (a
VBA storage, an encryption flag, a file with no main stream) are not files anyone would keep.
Every stream is padded to the 4 KiB cut-off, so no mini stream is needed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
CUTOFF = 4096
FREE, END, FAT_SECTOR, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class Node:
    name: str
    data: bytes | None = None  # None: a storage
    children: list[Node] = field(default_factory=list)


def storage(name: str, *children: Node) -> Node:
    return Node(name, None, list(children))


def stream(name: str, data: bytes) -> Node:
    return Node(name, data.ljust(CUTOFF, b"\x00"))


def _entries(root: Node) -> list[Node]:
    out: list[Node] = []

    def walk(node: Node) -> None:
        out.append(node)
        for child in node.children:
            walk(child)

    walk(root)
    return out


def build(*top: Node) -> bytes:
    """The bytes of a compound file whose root holds ``top``."""
    root = Node("Root Entry", None, list(top))
    nodes = _entries(root)
    index = {id(node): i for i, node in enumerate(nodes)}
    dir_sectors = -(-len(nodes) * 128 // SECTOR)
    first_data = 1 + dir_sectors
    fat = [FAT_SECTOR] + [i + 2 for i in range(dir_sectors - 1)] + [END]
    starts: dict[int, int] = {}
    body = b""
    for node in nodes:
        if node.data is None:
            continue
        count = -(-len(node.data) // SECTOR)
        start = first_data + len(body) // SECTOR
        starts[id(node)] = start
        fat += [start + i + 1 for i in range(count - 1)] + [END]
        body += node.data.ljust(count * SECTOR, b"\x00")
    assert len(fat) <= SECTOR // 4, "one FAT sector is enough for a test file"
    fat += [FREE] * (SECTOR // 4 - len(fat))

    directory = b""
    for node in nodes:
        siblings = next((n.children for n in nodes if node in n.children), [])
        position = siblings.index(node) if node in siblings else -1
        right = index[id(siblings[position + 1])] if 0 <= position < len(siblings) - 1 else NONE
        child = index[id(node.children[0])] if node.children else NONE
        kind = 5 if node is root else (1 if node.data is None else 2)
        encoded = (node.name + "\x00").encode("utf-16-le")
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded,
            len(encoded),
            kind,
            1,  # black: a list of right siblings is a valid red-black tree for readers
            NONE,
            right,
            child,
            b"\x00" * 16,
            0,
            0,
            0,
            starts.get(id(node), END if node.data is None else 0),
            len(node.data or b""),
        )
    directory = directory.ljust(dir_sectors * SECTOR, b"\x00")

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\x00" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,
        1,  # FAT sectors
        1,  # first directory sector
        0,
        CUTOFF,
        END,  # no mini FAT
        0,
        END,  # no DIFAT sectors
        0,
    )
    header += struct.pack("<I", 0) + struct.pack("<I", FREE) * 108
    fat_bytes = struct.pack(f"<{SECTOR // 4}I", *fat)
    return header + fat_bytes + directory + body
