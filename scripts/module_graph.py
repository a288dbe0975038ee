#!/usr/bin/env python3
"""The module graph of src/, read from #include lines, checked against the design.

A module is a directory under src/ (http/engine, a route set, is a module of its own apart
from the http server). Each module declares below the modules it may use directly — the
same edges as its target_link_libraries in src/CMakeLists.txt. An #include of another
module's header must follow a declared edge or a chain of them; the rules then say which
modules must never reach each other, whatever the declarations say:

  - protocol/ (the manager–agent contract) depends on api/ and common/ only;
  - manager/, agent/ and rpc/ are independent of each other: they meet at protocol/, and
    daemon/ pairs them;
  - the http server (http/) depends on common/ only; route sets (http/engine) sit on it.

Usage: scripts/module_graph.py [--print] [src-dir]. Exits 1 naming each offending include.
"""
import os
import re
import sys

# module -> the modules it may include directly.
DECLARED = {
    'common': [],
    'api': ['common'],
    'store': ['api'],
    # etcd's generated client lives under generated/etcd/ and is included as etcd/...
    'etcd': ['store'],
    'protocol': ['api'],
    'ca': ['store'],
    'manager': ['store', 'protocol', 'ca'],
    'agent': ['protocol'],
    'network': ['api'],
    'runtime': ['agent', 'network'],
    'rpc': ['protocol', 'ca'],
    'http': ['common'],
    'http/engine': ['http', 'manager', 'runtime'],
    'provider': ['common', 'network'],
    'scale': ['manager', 'agent', 'ca', 'rpc'],
    'daemon': ['http/engine', 'store', 'etcd', 'manager', 'agent', 'runtime', 'ca', 'rpc'],
    'cli': ['daemon', 'scale', 'provider'],
    # shoal-monitor compiles the log writer's sources itself (src/CMakeLists.txt).
    'monitor': ['runtime'],
}

# (a, b): a must not reach b, directly or through others.
NEVER = [
    *[('protocol', m) for m in DECLARED if m not in ('protocol', 'api', 'common')],
    *[('http', m) for m in DECLARED if m not in ('http', 'common')],
    *[(a, b) for a in ('manager', 'agent', 'rpc') for b in ('manager', 'agent', 'rpc') if a != b],
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(path):
    """The module of a path relative to src/: the longest declared module whose directory
    holds it (http/engine inside http), else its top directory (None at src/'s top)."""
    parts = path.split('/')
    if len(parts) < 2:
        return None
    for depth in range(len(parts) - 1, 0, -1):
        if '/'.join(parts[:depth]) in DECLARED:
            return '/'.join(parts[:depth])
    return parts[0]


def closure(declared):
    reach = {}
    def visit(m, seen):
        if m in reach:
            return reach[m]
        if m in seen:
            raise SystemExit(f'module_graph: the declared edges have a cycle through {m}')
        out = set()
        for d in declared.get(m, []):
            out.add(d)
            out |= visit(d, seen | {m})
        reach[m] = out
        return out
    for m in declared:
        visit(m, set())
    return reach


def include_edges(src):
    """(from module, to module, file, line number, header) for each cross-module include."""
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith(('.h', '.cc')):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            here = module_of(rel)
            with open(path, encoding='utf-8') as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    header = m.group(1)
                    there = module_of(header)
                    if there is None or there == here or not os.path.exists(os.path.join(src, header)):
                        continue  # generated code, the module's own headers
                    yield here, there, rel, number, header


def main(argv):
    show = '--print' in argv
    args = [a for a in argv if a != '--print']
    src = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')
    reach = closure(DECLARED)
    problems = []
    for a, b in NEVER:
        if b in reach.get(a, ()):
            problems.append(f'the declared edges let {a} reach {b}, which the design forbids')
    used = {}
    for here, there, rel, number, header in include_edges(src):
        used.setdefault(here, set()).add(there)
        if here not in DECLARED:
            problems.append(f'src/{rel}: module {here} is not declared in scripts/module_graph.py')
        elif there not in reach[here]:
            problems.append(f'src/{rel}:{number}: {here} includes "{header}" but does not depend on {there}')
    if show:
        for m in sorted(used):
            print(f'{m} -> {" ".join(sorted(used[m]))}')
    for p in sorted(set(problems)):
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
