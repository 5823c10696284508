/**
 * The Python program behind `environment.python`: one interpreter start that prints executable,
 * version and every installed distribution as JSON, `[name, version]` in importlib.metadata's
 * order (`metadata.distributions()`), which is what the list means.
 *
 * Why not just importlib.metadata: importing it pulls in the email package, and it parses every
 * METADATA file with the email parser; that is 20–25 ms of a ~35 ms probe (measured with
 * `-X importtime` on CPython 3.11), on the critical path of every `dl-lab run`. So the probe lists
 * the metadata folders itself, in exactly importlib.metadata's order (its `Lookup`), and reads
 * the first Name and Version headers itself. Whenever its answer could differ it asks the real
 * thing: a zip file on sys.path or a meta-path finder that can find distributions (the whole list
 * then comes from importlib.metadata), a header the email parser would read differently (a
 * continued value, a "From " line: that one distribution is then read by importlib.metadata).
 * Python < 3.10 always asks importlib.metadata (its order differs there). `python3 -c PROBE
 * importlib` and `… scan` force one way; test/unit/python-probe.test.ts checks that both give the
 * same bytes on every interpreter on the machine and on odd installs.
 *
 * The cwd entry ('') is dropped from sys.path so an `*.egg-info` lying in the current directory
 * is not reported as installed: the list describes the interpreter's environment.
 */
export const PYTHON_PROBE = `
import json, os, platform, sys
sys.path = [p for p in sys.path if p != '']


def via_importlib():
    from importlib import metadata
    for dist in metadata.distributions():
        try:  # one broken install (no METADATA) must not cost the whole list
            meta = dist.metadata  # parsed once: dist.version would parse it again
            yield meta['Name'], meta['Version']
        except Exception:
            continue


def scan_is_exact():
    if sys.version_info < (3, 10):
        return False  # older importlib.metadata orders the folders differently (no Lookup)
    for entry in sys.path:
        if os.path.exists(entry) and not os.path.isdir(entry):
            return False  # a zip on sys.path: importlib.metadata reads its members
    for finder in sys.meta_path:
        if getattr(finder, 'find_distributions', None) is None:
            continue
        if getattr(finder, '__name__', None) != 'PathFinder' or getattr(finder, '__module__', None) != '_frozen_importlib_external':
            return False  # a finder of its own may know distributions no folder shows
    return True


def lookup_key(name):
    # importlib.metadata's Prepared.normalize, without importing re: runs of - _ . become one _
    out, separator = [], False
    for char in name:
        if char in '-_.':
            separator = True
            continue
        if separator:
            out.append('_')
            separator = False
        out.append(char)
    if separator:
        out.append('_')
    return ''.join(out)


def metadata_paths():
    # importlib.metadata's Lookup: per sys.path entry, the *.dist-info and *.egg-info children
    # grouped by normalized name in order of first appearance, then EGG-INFO of a *.egg entry.
    for entry in sys.path:
        try:
            children = os.listdir(entry)
        except Exception:
            continue
        groups, eggs = {}, []
        is_egg = os.path.basename(entry).lower().endswith('.egg')
        for child in children:
            low = child.lower()
            if low.endswith(('.dist-info', '.egg-info')):
                key = lookup_key(low.rpartition('.')[0].partition('-')[0])
                groups.setdefault(key, []).append(os.path.join(entry, child))
            elif is_egg and low == 'egg-info':
                eggs.append(os.path.join(entry, child))
        for paths in groups.values():
            for path in paths:
                yield path
        for path in eggs:
            yield path


def read_text(path):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


HEADER_NAME = frozenset(chr(code) for code in range(0o41, 0o177) if code != 0o72)


def first_name_and_version(text):
    # The first Name and Version headers, as importlib.metadata reads them with the email
    # parser; None when only that can say (a continued value, a "From " line).
    found, current = {}, None
    for line in text.replace('\\r\\n', '\\n').replace('\\r', '\\n').split('\\n'):
        if line == '':
            break
        if line[0] in ' \\t':
            if current is not None:
                return None
            continue
        if line.startswith('From '):
            return None
        colon = line.find(':')
        if colon == 0:
            current = None
            continue
        if colon < 0 or not HEADER_NAME.issuperset(line[:colon]):
            break
        key, current = line[:colon].lower(), None
        if key in ('name', 'version') and key not in found:
            found[key], current = line[colon + 1:].lstrip(' \\t'), key
    return found.get('name'), found.get('version')


def via_scan():
    for path in metadata_paths():
        try:
            text = read_text(os.path.join(path, 'METADATA')) or read_text(os.path.join(path, 'PKG-INFO')) or read_text(path)
            pair = first_name_and_version(text)
            if pair is None:  # exactly importlib.metadata's reading (it also re-indents folded values)
                from importlib import metadata
                meta = metadata.Distribution.at(path).metadata
                pair = meta['Name'], meta['Version']
        except Exception:
            continue
        yield pair


mode = sys.argv[1] if len(sys.argv) > 1 else 'auto'  # 'importlib' or 'scan' force one way (tests)
pairs = via_importlib() if mode == 'importlib' or (mode != 'scan' and not scan_is_exact()) else via_scan()
packages = [[name, version] for name, version in pairs if name and version]
json.dump({'executable': sys.executable, 'version': platform.python_version(), 'packages': packages}, sys.stdout)
`;
