"""Judge every schema-parity fixture with the scaffold's Python checker (validate.py, jsonschema)
and print one JSON document: {"jsonschema": version, "verdicts": {"good/<schema>/<file>.json": {"valid", "errors"}}}.

    python schema_verdicts.py <validate.py> <schemas dir> <fixtures dir>
"""
import importlib.util
import json
import sys
from importlib import metadata
from pathlib import Path

sys.dont_write_bytecode = True  # never leave __pycache__ in the templates folder
validate_py, schemas_dir, fixtures = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
spec = importlib.util.spec_from_file_location("dl_lab_validate", validate_py)
validate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(validate)

verdicts = {}
for path in sorted(fixtures.glob("*/*/*.json")):
    name = path.relative_to(fixtures).as_posix()
    try:
        errors = [f"{pointer or '/'}: {message}" for pointer, message in validate.schema_errors(path.parent.name, validate.load_json(path), schemas_dir)]
    except ValueError as error:  # not JSON (NaN, Infinity, a byte-order mark…)
        errors = [str(error)]
    verdicts[name] = {"valid": not errors, "errors": errors}
json.dump({"jsonschema": metadata.version("jsonschema"), "verdicts": verdicts}, sys.stdout)
