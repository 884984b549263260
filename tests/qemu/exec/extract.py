#!/usr/bin/env python3
"""extract.py LOG BINDIR > tests/data/i386/exec-FLAVOUR.txt

Keeps the "==== EXEC ... ====" sections of a boot686.sh EXEC_PROGS=1 log
(tests/qemu/README.md) and heads them with the identities of what ran: the
kernel package and QEMU lines of the log, and the sha256 of each program in
BINDIR and of the i386 loader the initramfs got (/usr/lib32/ld-linux.so.2).
"""
import hashlib
import os
import sys


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: extract.py LOG BINDIR')
    log, bindir = sys.argv[1], sys.argv[2]
    lines = open(log, encoding='utf-8', errors='replace').read().split('\n')
    out = []
    for l in lines:
        if l.startswith('# mmtwin boot:') or l.startswith('# qemu:'):
            out.append(l)
        if 'uname:' in l and l.startswith('uname'):
            out.append('# ' + l)
    keep = False
    body = []
    for l in lines:
        if l.startswith('==== EXEC '):
            keep = True
        if l.startswith('==== MMTWIN exec-end'):
            keep = False
        if keep:
            body.append(l)
    if not body:
        sys.exit('extract.py: no EXEC sections in ' + log)
    for name in sorted(os.listdir(bindir)):
        out.append('# sha256 %s %s' % (sha(os.path.join(bindir, name)), name))
    out.append('# sha256 %s %s' % (sha('/usr/lib32/ld-linux.so.2'),
                                   '/usr/lib32/ld-linux.so.2'))
    sys.stdout.write('\n'.join(out + body) + '\n')


main()
