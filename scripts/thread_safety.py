#!/usr/bin/env python3
"""Clang's thread-safety analysis over every translation unit of src/.

The build compiler is gcc, which ignores the annotations of common/mutex.h (GUARDED_BY,
REQUIRES, EXCLUDES); this runs clang++ -fsyntax-only -Wthread-safety on each source file of
src/ (or each unity batch of them, in a unity build) with the flags the build gives it (from
<build>/compile_commands.json), in parallel,
and fails when any reports a thread-safety warning. Other clang warnings are not its
business and are silenced.

Usage: scripts/thread_safety.py [build-dir] [file-substring ...]
"""
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys

DROP = {'-Wall', '-Wextra', '-Werror', '-c', '-MD'}
DROP_WITH_VALUE = {'-o', '-MT', '-MF'}


def clang_command(entry):
    args = shlex.split(entry['command'])
    while args and os.path.basename(args[0]) in ('ccache', 'c++', 'g++', 'clang++'):
        args = args[1:]  # the launcher and the compiler
    out = ['clang++', '-fsyntax-only', '-Wno-everything', '-Wthread-safety', '-Werror=thread-safety']
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in DROP_WITH_VALUE:
            skip = True
            continue
        if a in DROP or a == entry['file'] or a.startswith('-O') or a.startswith('-g'):
            continue
        out.append(a)
    out.append(entry['file'])
    return out


def check(entry):
    proc = subprocess.run(clang_command(entry), cwd=entry['directory'], capture_output=True,
                          text=True)
    return entry['file'], proc.returncode, proc.stderr


def main(argv):
    build = argv[0] if argv else 'build'
    only = argv[1:]
    with open(os.path.join(build, 'compile_commands.json'), encoding='utf-8') as f:
        entries = json.load(f)
    src = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src'))
    build_src = os.path.join(os.path.realpath(build), 'src') + os.sep

    def of_src(path):
        """A source file of src/, or a unity batch of a src/ target (which includes them);
        not shoal-monitor's (single-threaded, no locks)."""
        path = os.path.realpath(path)
        if path.startswith(os.path.join(src, 'monitor') + os.sep):
            return False
        if path.startswith(build_src):
            return '/Unity/' in path and '/shoal-monitor.dir/' not in path
        return path.startswith(src + os.sep)

    entries = [e for e in entries if of_src(e['file'])]
    if only:
        entries = [e for e in entries if any(o in e['file'] for o in only)]
    failed = 0
    jobs = os.cpu_count() or 2
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for file, code, err in pool.map(check, entries):
            if code != 0:
                failed += 1
                sys.stderr.write(err)
    print(f'thread safety: {len(entries)} files, {failed} with findings')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
