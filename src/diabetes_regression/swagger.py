"""The scoring API's swagger files, derived from score.py's sample request and response.

run() reads the raw request (parsing it is most of a request's cost), so the inference server
cannot derive the API from decorators; it serves these files from the code folder instead, as
on Azure ML. After changing SAMPLE_ROWS or SAMPLE_RESULT, rewrite them:
`python -m diabetes_regression.swagger` (a test checks that they are current).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType
from inference_schema.schema_decorators import input_schema, output_schema
from inference_schema.schema_util import get_input_schema, get_output_schema

from diabetes_regression.score import SAMPLE_RESULT, SAMPLE_ROWS

logger = logging.getLogger(__name__)
CODE_FOLDER = Path(__file__).resolve().parents[1]
SERVICE_NAME = "diabetes_regression"
# The server's file name for each swagger version it serves.
FILES = {"2": "swagger2.json", "3": "swagger3.json", "3.1": "swagger3.1.json"}


@input_schema("data", StandardPythonParameterType(SAMPLE_ROWS))
@output_schema(StandardPythonParameterType(SAMPLE_RESULT))
def _documented_run(data: Any) -> Any:
    """The signature run() serves, for inference-schema to describe."""
    return data


def swagger(version: str) -> dict[str, Any]:
    """The swagger the server would generate for a decorated run(), from its own template."""
    import azureml_inference_server_http.server as server

    template = "swagger2_template.json" if version == "2" else "swagger3_template.json"
    text = (Path(server.__file__).parent / template).read_text(encoding="utf-8")
    for placeholder, value in (("$SERVICE_NAME$", SERVICE_NAME), ("$SERVICE_VERSION$", "1")):
        text = text.replace(placeholder, value)
    spec = json.loads(text.replace("$PATH_PREFIX$", ""))
    schemas = {
        "ServiceInput": get_input_schema(_documented_run),
        "ServiceOutput": get_output_schema(_documented_run),
    }
    if version == "2":
        spec["definitions"].update(schemas)
    else:
        spec["components"]["schemas"].update(schemas)
    if version == "3.1":
        spec["openapi"] = "3.1.0"
    return spec


def write(folder: Path = CODE_FOLDER) -> list[Path]:
    """Write every version's file into `folder`; the paths written."""
    written = []
    for version, name in FILES.items():
        path = folder / name
        path.write_text(json.dumps(swagger(version), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main() -> int:
    """Rewrite the swagger files; name each one written."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for path in write():
        logger.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
