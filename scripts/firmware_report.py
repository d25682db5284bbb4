#!/usr/bin/env python3
"""Size report of a firmware ELF: flash and static RAM (as llvm-size counts them), the largest
components by crate, and, given a build with `-Z emit-stack-sizes`, the worst-case stack from
a root function down the static call graph (llvm-objdump's direct calls; indirect calls and
recursion are reported, not followed).

Usage: firmware_report.py ELF [--stack-elf ELF --root SUBSTRING] [--flash-budget KIB --ram-budget KIB]
Needs llvm-nm, llvm-objdump and llvm-readobj on PATH (rustup component llvm-tools).
"""
import argparse
import re
import struct
import subprocess
import sys
from collections import defaultdict

SHF_WRITE, SHF_ALLOC = 0x1, 0x2
SHT_NOBITS = 8
# Regions the runtime reserves, not statics.
RESERVED = {".stack", ".heap"}


def sections(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 1:
        sys.exit(f"{path}: not a 32-bit ELF")
    end = "<" if data[5] == 1 else ">"
    shoff, = struct.unpack_from(end + "I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", data, 0x2E)
    raw = [struct.unpack_from(end + "IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = raw[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]]
    out = []
    for name, typ, flags, _addr, _off, size, *_ in raw:
        n = names[name:names.index(b"\0", name)].decode()
        out.append((n, typ, flags, size))
    return out


def footprint(path):
    flash = ram = 0
    for name, typ, flags, size in sections(path):
        if not flags & SHF_ALLOC or name in RESERVED:
            continue
        if typ != SHT_NOBITS:
            flash += size  # code, read-only data, and the initial values of .data
        if flags & SHF_WRITE:
            ram += size  # .data and .bss
    return flash, ram


def crate_of(demangled):
    # Legacy-mangled leftovers (`_$LT$a..b$u20$as$u20$c..d$GT$::e`) read as paths too.
    for a, b in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("..", "::")):
        demangled = demangled.replace(a, b)
    m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)::", demangled)
    return m.group(1) if m else "(other)"


def components(path, top):
    out = subprocess.run(["llvm-nm", "-S", "--size-sort", "--demangle", path],
                         check=True, capture_output=True, text=True).stdout
    code = defaultdict(int)
    statics = defaultdict(int)
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        size, kind, name = int(parts[1], 16), parts[2], parts[3]
        crate = crate_of(name)
        if kind in "tTrR":
            code[crate] += size
        elif kind in "bBdD":
            statics[crate] += size
    rows = sorted(code.items(), key=lambda kv: -kv[1])[:top]
    print(f"  flash by crate (functions and read-only data, top {top}):")
    for crate, size in rows:
        print(f"    {crate:32} {size:8} B  {size / 1024:6.1f} KiB")
    print("  static RAM by crate:")
    for crate, size in sorted(statics.items(), key=lambda kv: -kv[1]):
        print(f"    {crate:32} {size:8} B  {size / 1024:6.1f} KiB")


def stack(path, root):
    sizes = {}
    out = subprocess.run(["llvm-readobj", "--stack-sizes", path],
                         check=True, capture_output=True, text=True).stdout
    for funcs, size in re.findall(r"Functions: \[([^\]]*)\]\s*Size: (0x[0-9a-fA-F]+)", out):
        for f in funcs.split(","):
            sizes[f.strip()] = int(size, 16)
    dis = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", path],
                         check=True, capture_output=True, text=True).stdout
    calls = defaultdict(set)
    indirect = defaultdict(int)
    starts = {}
    for line in dis.splitlines():
        head = re.match(r"^([0-9a-f]+) <(.+)>:$", line)
        if head and not head.group(2).startswith("$"):
            starts[int(head.group(1), 16)] = head.group(2)
    current = None
    auipc = {}  # register -> its value after `auipc` (RISC-V calls are auipc + jalr)
    for line in dis.splitlines():
        head = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if head:
            # `$d`/`$t`/`$x` are mapping symbols inside a function, not functions.
            if not head.group(1).startswith("$"):
                current = head.group(1)
            auipc.clear()
            continue
        if current is None:
            continue
        m = re.search(r"\s(bl|blx|b\.w|b|jal|j|call|tail)\s+(?:[a-z0-9]+, )?(?:0x)?[0-9a-f]+ <([^>+]+)>", line)
        if m:
            if m.group(2) != current:
                calls[current].add(m.group(2))
            continue
        a = re.match(r"^\s*([0-9a-f]+):\s+auipc\s+(\w+), (-?\d+)", line)
        if a:
            imm = int(a.group(3)) & 0xFFFFF
            if imm & 0x80000:
                imm -= 0x100000
            auipc[a.group(2)] = int(a.group(1), 16) + (imm << 12)
            continue
        j = re.search(r"\sjalr\s+(?:\w+, )?(-?\d+)\((\w+)\)", line)
        if j and j.group(2) in auipc:
            target = starts.get(auipc[j.group(2)] + int(j.group(1)))
            if target and target != current:
                calls[current].add(target)
                continue
        if re.search(r"\s(blx|jalr)\s+[a-z]", line):
            indirect[current] += 1
    roots = [f for f in sizes if root in demangle(f)]
    if not roots:
        sys.exit(f"no function matching {root!r} with a stack size")
    memo = {}
    recursive = set()

    def worst(f, path):
        if f in path:
            recursive.add(f)
            return 0, []
        if f in memo:
            return memo[f]
        best, chain = 0, []
        for g in calls.get(f, ()):
            d, c = worst(g, path | {f})
            if d > best:
                best, chain = d, c
        r = (sizes.get(f, 0) + best, [f] + chain)
        memo[f] = r
        return r

    depth, chain = max((worst(r, frozenset()) for r in roots), key=lambda x: x[0])
    print(f"  worst-case stack from {root!r}: {depth} B ({depth / 1024:.1f} KiB), "
          f"{len(chain)} frames deep; the deepest frames:")
    for f in sorted(chain, key=lambda f: -sizes.get(f, 0))[:6]:
        print(f"    {sizes.get(f, 0):6} B  {demangle(f)[:110]}")
    n_ind = sum(indirect[f] for f in chain)
    print(f"  (static analysis of direct calls; {n_ind} indirect call sites on that path and "
          f"{len(recursive)} recursive functions are not followed)")
    return depth


_demangled = {}


def demangle(name):
    if name not in _demangled:
        out = subprocess.run(["llvm-cxxfilt", name], capture_output=True, text=True).stdout.strip()
        _demangled[name] = out or name
    return _demangled[name]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("elf")
    ap.add_argument("--stack-elf")
    ap.add_argument("--root", default="handshake")
    ap.add_argument("--flash-budget", type=float)
    ap.add_argument("--ram-budget", type=float)
    ap.add_argument("--top", type=int, default=12)
    a = ap.parse_args()
    flash, ram = footprint(a.elf)
    print(f"  flash {flash} B ({flash / 1024:.1f} KiB), static RAM {ram} B ({ram / 1024:.1f} KiB)")
    components(a.elf, a.top)
    if a.stack_elf:
        stack(a.stack_elf, a.root)
    failed = False
    if a.flash_budget is not None and flash > a.flash_budget * 1024:
        print(f"  FLASH OVER BUDGET: {flash / 1024:.1f} KiB > {a.flash_budget} KiB")
        failed = True
    if a.ram_budget is not None and ram > a.ram_budget * 1024:
        print(f"  STATIC RAM OVER BUDGET: {ram / 1024:.1f} KiB > {a.ram_budget} KiB")
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
