#!/usr/bin/env python3
"""Shape measures of Sources/ for issue notes: functions over N lines, the largest types,
`@unchecked Sendable` uses. Generated code is left out. Brace matching ignores braces inside
string literals and // comments (good enough for this code base; not a Swift parser).

    python3 scripts/code_measures.py [--max-function-lines 80] [--types 8]
"""
import argparse, pathlib, re, sys

DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|static|final|override|mutating|nonisolated|convenience|required|open|class)\s+)*(func\s+[^\s(<]+|init[?!]?|deinit|(?:actor|struct|class|enum|extension)\s+[\w.]+)')

def strip(line):
    out, in_str, i = [], False, 0
    while i < len(line):
        c = line[i]
        if not in_str and line.startswith('//', i):
            break
        if c == '\\' and in_str:
            i += 2; continue
        if c == '"':
            in_str = not in_str
        elif not in_str:
            out.append(c)
        i += 1
    return ''.join(out)

def blocks(path):
    lines = path.read_text().splitlines()
    clean = [strip(l) for l in lines]
    for start, line in enumerate(lines):
        m = DECL.match(line)
        if not m:
            continue
        depth, opened = 0, False
        for end in range(start, len(lines)):
            for c in clean[end]:
                if c == '{': depth += 1; opened = True
                elif c == '}': depth -= 1
            if opened and depth <= 0:
                yield m.group(1), start + 1, end + 1
                break
            if not opened and end > start and clean[end].strip() == '':
                break  # a protocol requirement or a declaration without body

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--max-function-lines', type=int, default=80)
    ap.add_argument('--types', type=int, default=8)
    ap.add_argument('root', nargs='?', default='Sources')
    args = ap.parse_args()
    files = [p for p in sorted(pathlib.Path(args.root).rglob('*.swift')) if 'Generated' not in p.parts]
    long_functions, types, unchecked = [], {}, []
    for path in files:
        text = path.read_text()
        for n, line in enumerate(text.splitlines(), 1):
            if '@unchecked Sendable' in line and not line.strip().startswith('//'):
                unchecked.append(f'{path}:{n}')
        for name, a, b in blocks(path):
            length = b - a + 1
            kind = name.split()[0]
            if kind in ('func', 'init', 'init?', 'init!', 'deinit') or name.startswith('init'):
                if length > args.max_function_lines:
                    long_functions.append((length, f'{path}:{a} {name}'))
            elif kind in ('actor', 'struct', 'class', 'enum', 'extension'):
                key = name.split()[1]
                types.setdefault(key, 0)
                types[key] += length
    print(f'functions over {args.max_function_lines} lines: {len(long_functions)}')
    for length, where in sorted(long_functions, reverse=True):
        print(f'  {length:4d}  {where}')
    print(f'@unchecked Sendable: {len(unchecked)}')
    for where in unchecked:
        print(f'  {where}')
    print(f'largest types (lines over all their declarations and extensions):')
    for key, length in sorted(types.items(), key=lambda kv: -kv[1])[:args.types]:
        print(f'  {length:5d}  {key}')

if __name__ == '__main__':
    sys.exit(main())
