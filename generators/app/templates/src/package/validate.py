"""Check sealed dl-lab runs from Python, without Node:

    PYTHONPATH=src python -m <%- pythonPackage %>.validate artifacts/runs/<TAG> [...]   (no argument: every run)

The checks of `dl-lab verify`: each file against the project's JSON Schemas (schemas/, Draft
2020-12, cross-file $refs resolved by $id); every metric, result, primary_metric and selected_by
key defined in metric_definitions; tag, demo and seed agreeing (and the tag naming the run's
folder); every output present as a regular file with its recorded size and sha256; no file the
manifest does not list; the seal (sha256 of the sorted "<sha256>  <path>\\n" lines) and SHA256SUMS;
a resumed run's parent (it exists, verifies, keeps its seal and holds the checkpoint resumed from).
Needs only the `jsonschema` package. Exit status 1 when a run fails; each problem is printed as
"<file>: <JSON pointer>: <message>".
"""
import functools
import hashlib
import json
import os
import re
import sys
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

try:  # jsonschema >= 4.18 resolves $refs through `referencing`
    from referencing import Registry, Resource
except ImportError:  # older jsonschema (Debian 12 has 4.10): RefResolver
    Registry = None
    from jsonschema import RefResolver

SCHEMAS_DIR = Path(__file__).resolve().parent.parent.parent / "schemas"  # <project>/src/<package>/validate.py
RUNS_DIR = Path("artifacts", "runs")
# Each JSON document of a run and the schema (schemas/<name>.schema.json) it must satisfy.
DOCUMENTS = {"manifest.json": "manifest", "summary.json": "summary", "analysis.json": "analysis", "checkpoints/best.json": "checkpoint"}
REQUIRED_OUTPUTS = ("summary.json", "analysis.json", "checkpoints/best.json")


def _reject_constant(name):
    raise ValueError(f"not valid JSON: {name} (JSON has no NaN or Infinity)")


def parse_json(data):
    """Parse UTF-8 bytes as JSON.parse does: NaN, Infinity and a byte-order mark are refused."""
    return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)


def load_json(path):
    return parse_json(Path(path).read_bytes())


# --- The schemas, validated as ajv (dl-lab's validator) does -------------------------------------

@functools.lru_cache(maxsize=None)
def _js_regex(pattern):
    """JSON Schema patterns are ECMAScript regexes. Where Python differs: '$' matches only at the very
    end (Python's also before a final newline), '.' excludes \\r, \\u2028 and \\u2029 too, '\\d' is ASCII."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i:i + 2]
            out.append(("0-9" if in_class else "[0-9]") if escape == "\\d" else escape)
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        elif char == ".":
            char = r"[^\n\r\u2028\u2029]"
        out.append(char)
        i += 1
    return re.compile("".join(out))


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _js_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# ajv-formats' checks for the two formats the schemas use (jsonschema's need extra packages).
FORMATS = FormatChecker(formats=())
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2}(?:\.[0-9]+)?)(z|([+-])([0-9]{2})(?::?([0-9]{2}))?)\Z", re.IGNORECASE)
_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@FORMATS.checks("date-time")
def _is_date_time(value):
    """RFC 3339 date-time with a time zone, leap days and leap seconds checked."""
    if not isinstance(value, str):
        return True
    parts = re.split(r"[tT\s]", value)
    date, time = (_DATE.match(parts[0]), _TIME.match(parts[1])) if len(parts) == 2 else (None, None)
    if not date or not time:
        return False
    year, month, day = (int(group) for group in date.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not (1 <= month <= 12 and 1 <= day <= (29 if month == 2 and leap else _DAYS[month])):
        return False
    hour, minute, second = int(time[1]), int(time[2]), float(time[3])
    sign, tz_hour, tz_minute = (-1 if time[5] == "-" else 1), int(time[6] or 0), int(time[7] or 0)
    if tz_hour > 23 or tz_minute > 59:
        return False
    if hour <= 23 and minute <= 59 and second < 60:
        return True
    utc_minute = minute - tz_minute * sign  # a leap second: 23:59:60 in UTC
    utc_hour = hour - tz_hour * sign - (1 if utc_minute < 0 else 0)
    return utc_hour in (23, -1) and utc_minute in (59, -1) and second < 61


@FORMATS.checks("uri")
def _is_uri(value):
    """A scheme, a colon and no whitespace (ajv also checks each character of the authority and path)."""
    return not isinstance(value, str) or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*\Z", value) is not None


_Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})


@functools.lru_cache(maxsize=None)
def _validator(name, schemas_dir):
    schemas = {}
    for path in sorted(Path(schemas_dir).glob("*.schema.json")):
        schema = load_json(path)
        schemas[schema["$id"]] = schema
    schema = load_json(Path(schemas_dir) / f"{name}.schema.json")
    if Registry is not None:
        registry = Registry().with_resources((uri, Resource.from_contents(s)) for uri, s in schemas.items())
        return _Validator(schema, registry=registry, format_checker=FORMATS)
    return _Validator(schema, resolver=RefResolver(schema["$id"], schema, store=schemas), format_checker=FORMATS)


def _pointer(path):
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def schema_errors(name, document, schemas_dir=SCHEMAS_DIR):
    """[(JSON pointer, message)] of `document` against schemas/<name>.schema.json; [] when valid."""
    errors = sorted(_validator(name, str(schemas_dir)).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [(_pointer(error.absolute_path), error.message[:300]) for error in errors]


# --- The rules no schema can state (as dl-lab's run-contract.ts) ---------------------------------

def contract_problems(docs, label, schemas_dir=SCHEMAS_DIR):
    """[(file, pointer, message)] for the run's documents {file name: parsed JSON}."""
    problems = [(label(file), pointer, message) for file, name in DOCUMENTS.items() for pointer, message in schema_errors(name, docs[file], schemas_dir)]
    if problems:
        return problems
    manifest, summary, analysis = docs["manifest.json"], docs["summary.json"], docs["analysis.json"]
    defined = summary["metric_definitions"]
    uses = [
        *((label("summary.json"), "/metrics/" + key, key) for key in summary["metrics"]),
        # A run that did not complete (contract 1.1) may have neither.
        (label("summary.json"), "/primary_metric", summary.get("primary_metric")),
        (label("summary.json"), "/best_checkpoint/selected_by", summary.get("best_checkpoint", {}).get("selected_by")),
        *((label("analysis.json"), "/results/" + key, key) for key in analysis["results"]),
    ]
    for file, pointer, key in uses:
        if key is not None and key not in defined:
            problems.append((file, pointer, f"'{key}' has no entry in metric_definitions (definition, unit, higher_is_better)"))
    for file in ("summary.json", "analysis.json"):
        if docs[file]["tag"] != manifest["tag"]:
            problems.append((label(file), "/tag", f"'{docs[file]['tag']}' differs from the manifest's tag '{manifest['tag']}'"))
        if docs[file]["demo"] != manifest["demo"]:
            problems.append((label(file), "/demo", f"{docs[file]['demo']} differs from the manifest's demo flag {manifest['demo']}"))
    if manifest["hyperparameters"]["seed"] != manifest["seed"]:
        problems.append((label("manifest.json"), "/seed", f"{manifest['seed']} differs from hyperparameters.seed {manifest['hyperparameters']['seed']}"))
    return problems


# --- The files against the manifest (as dl-lab's verify-run.ts) ----------------------------------

def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256sum_lines(files):
    """`sha256sum`'s output for [(path, sha256)]: "<sha256>  <path>\\n" per file, sorted by path bytes."""
    return "".join(f"{sha256}  {path}\n" for path, sha256 in sorted(files, key=lambda file: file[0].encode("utf-8")))


def seal_digest(outputs):
    """The seal: sha256 of the sha256sum lines of every output (paths relative to the project root)."""
    return hashlib.sha256(sha256sum_lines([(o["path"], o["sha256"]) for o in outputs]).encode("utf-8")).hexdigest()


def run_checksums(prefix, outputs, manifest_sha256):
    """The run's SHA256SUMS: every output and manifest.json, paths relative to the run folder."""
    files = [(o["path"][len(prefix):] if o["path"].startswith(prefix) else o["path"], o["sha256"]) for o in outputs]
    return sha256sum_lines(files + [("manifest.json", manifest_sha256)])


def project_root(start):
    """The nearest folder at or above `start` with a .yo-rc.json, or None."""
    for folder in (start, *start.parents):
        if (folder / ".yo-rc.json").is_file():
            return folder
    return None


def run_problems(run_dir, schemas_dir=SCHEMAS_DIR, descendants=frozenset()):
    """Every problem of one run, as (file, pointer, message); [] when it verifies (its parent run included)."""
    run_dir = Path(run_dir).resolve()
    root = project_root(run_dir) or run_dir  # a standalone `--out-dir` run is its own root
    rel = run_dir.relative_to(root).as_posix()
    label = lambda name: name if rel == "." else f"{rel}/{name}"  # noqa: E731
    docs, problems, manifest_bytes = {}, [], b""
    for file in DOCUMENTS:
        try:
            data = (run_dir / file).read_bytes()
            manifest_bytes = data if file == "manifest.json" else manifest_bytes
            docs[file] = parse_json(data)
        except OSError as error:
            problems.append((label(file), "", f"cannot read ({error.strerror})"))
        except ValueError as error:
            problems.append((label(file), "", str(error)))
    problems = problems or contract_problems(docs, label, schemas_dir)
    if problems:
        return problems
    manifest = docs["manifest.json"]
    if manifest["run_dir"] != rel:
        problems.append((label("manifest.json"), "/run_dir", f"'{manifest['run_dir']}' but the run is at '{rel}'"))
    prefix = "" if rel == "." else rel + "/"
    listed = set()
    for index, output in enumerate(manifest["outputs"]):
        path, at = output["path"], f"{label('manifest.json')}:/outputs/{index}"
        if not path.startswith(prefix):
            problems.append((label("manifest.json"), f"/outputs/{index}/path", f"'{path}' is outside the run directory '{rel}'"))
            continue
        listed.add(path[len(prefix):])
        file = root / path
        if file.is_symlink() or not file.exists() or not file.is_file():
            problems.append((path, "", "is a symlink, not a file" if file.is_symlink() else "is not a regular file" if file.exists() else f"missing (listed at {at})"))
        elif root not in file.resolve().parents:
            problems.append((path, "", "resolves outside the project"))
        else:
            if file.stat().st_size != output["bytes"]:
                problems.append((path, "", f"size {file.stat().st_size} differs from the recorded {output['bytes']} ({at}/bytes)"))
            if sha256_file(file) != output["sha256"]:
                problems.append((path, "", f"sha256 differs from the recorded {output['sha256'][:12]}… ({at}/sha256)"))
    for folder, dirs, files in os.walk(run_dir):
        for name in dirs + files:
            path = Path(folder, name)
            rel_path = path.relative_to(run_dir).as_posix()
            if path.is_symlink():
                problems.append((label(rel_path), "", "symlink inside a run (runs hold regular files only)"))
            elif name in files and rel_path not in ("manifest.json", "SHA256SUMS") and rel_path not in listed:
                problems.append((label(rel_path), "", "not listed in manifest.json outputs (added after the run was sealed?)"))
    sums = run_dir / "SHA256SUMS"
    if not sums.is_file():
        problems.append((label("SHA256SUMS"), "", "missing"))
    elif sums.read_bytes() != run_checksums(prefix, manifest["outputs"], hashlib.sha256(manifest_bytes).hexdigest()).encode("utf-8"):
        problems.append((label("SHA256SUMS"), "", "does not match manifest.json and its outputs (manifest.json or SHA256SUMS was edited)"))
    if rel.startswith(RUNS_DIR.as_posix() + "/") and manifest["tag"] != run_dir.name:
        problems.append((label("manifest.json"), "/tag", f"'{manifest['tag']}' but the run folder is '{run_dir.name}'"))
    if seal_digest(manifest["outputs"]) != manifest["seal"]["digest"]:
        problems.append((label("manifest.json"), "/seal/digest", f"seal {manifest['seal']['digest'][:12]}… does not match the outputs"))
    for name in REQUIRED_OUTPUTS:
        if name not in listed:
            problems.append((label("manifest.json"), "/outputs", f"{label(name)} is not listed"))
    if "parent" in manifest:
        message = parent_problem(root, manifest["parent"], descendants | {run_dir}, schemas_dir)
        if message:
            problems.append((label("manifest.json"), "/parent", message))
    return sorted(problems, key=lambda problem: problem[0])


def parent_problem(root, link, descendants, schemas_dir=SCHEMAS_DIR):
    """A resumed run's parent (contract 1.1) must exist, verify, keep its seal and hold the checkpoint training loaded."""
    parent_dir = (root / RUNS_DIR / link["tag"]).resolve()
    if parent_dir in descendants:
        return f"parent {link['tag']} is also a descendant of this run (a loop of parent links)"
    if not (parent_dir / "manifest.json").is_file():
        return f"parent run {link['tag']} does not exist ({RUNS_DIR.as_posix()}/{link['tag']}/ holds no sealed run)"
    problems = run_problems(parent_dir, schemas_dir, descendants)
    if problems:
        return f"parent run {link['tag']} does not pass verification: " + "; ".join(f"{file}: {pointer or '/'}: {message}" for file, pointer, message in problems[:3])
    parent = load_json(parent_dir / "manifest.json")
    found = []
    if parent["seal"]["digest"] != link["seal"]:
        found.append(f"run {link['tag']} has seal {parent['seal']['digest'][:12]}…, not the recorded {link['seal'][:12]}… (re-sealed or replaced?)")
    if not any(o.get("role") == "checkpoint" and o["sha256"] == link["checkpoint_sha256"] for o in parent["outputs"]):
        found.append(f"run {link['tag']} holds no checkpoint with sha256 {link['checkpoint_sha256'][:12]}… (the checkpoint this run resumed from)")
    return "parent " + "; ".join(found) if found else None


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if any(arg.startswith("-") for arg in args):
        print(__doc__.strip())
        return 0 if args in (["-h"], ["--help"]) else 2
    if not args:
        root = project_root(Path.cwd().resolve())
        found = sorted(p for p in (root / RUNS_DIR).iterdir() if p.is_dir() and not p.name.startswith(".")) if root and (root / RUNS_DIR).is_dir() else []
        runs = [Path(os.path.relpath(run)) for run in found]  # staging folders (".staging-…") are not runs yet
        if not runs:
            print("validate: no runs found (give a run folder, e.g. artifacts/runs/<TAG>)", file=sys.stderr)
            return 1
    else:
        runs = [Path(arg) for arg in args]
    failed = 0
    for run in runs:
        problems = run_problems(run)
        failed += bool(problems)
        print(f"{'FAIL' if problems else 'ok'}   {run}")
        for file, pointer, message in problems:
            print(f"  {file}: {pointer or '/'}: {message}")
    print(f"{len(runs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
