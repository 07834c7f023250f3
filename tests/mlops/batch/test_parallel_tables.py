"""A parallel node whose input_data is an mltable: the MLTable read as Azure's mltable reads it,
the table split by size or by partition keys, the transformations the local runner refuses, and
one pipeline of two such nodes run to its end."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.errors import MlopsError
from mlops.parallel import node_command
from mlops.parallel.driver import mini_batches
from mlops.parallel.spec import RunSpec
from mlops.parallel.tables import (
    DEFAULT_TABLE_BATCH_BYTES,
    load_table,
    mini_batch_bytes,
    table_batches,
)
from mlops.parallel.workerside.mlops_mltable import read_table
from mlops.validation import load_entity

TABLES = Path(__file__).parent / "tables"
SALES = TABLES / "sales"
COMPONENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/parallelComponent.schema.json
type: parallel
name: tag_rows
version: 1
inputs:
  table:
    type: {input_type}
outputs:
  rows:
    type: uri_folder
input_data: ${{{{inputs.table}}}}
{split}
task:
  type: run_function
  code: {code}
  entry_script: tag_rows.py
  environment: azureml:tables_env@latest
  program_arguments: --tag t
  append_row_to: ${{{{outputs.rows}}}}
"""


def make_table(folder: Path, mltable: str, files: dict[str, str]) -> Path:
    """A folder holding an MLTable file and data files (paths relative to the folder)."""
    for name, text in {"MLTable": mltable, **files}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def start_node(tmp_path: Path, table: Path, split: str, input_type: str = "mltable") -> RunSpec:
    """node_command on a one-input parallel component bound to `table`; the spec it wrote."""
    component_file = tmp_path / "tag_rows.yml"
    component_file.write_text(
        COMPONENT.format(input_type=input_type, split=split, code=TABLES / "src")
    )
    workdir = tmp_path / "wd"
    workdir.mkdir(exist_ok=True)
    argv = node_command(
        load_entity(component_file, "component"), {"table": str(table)}, {"rows": tmp_path}, workdir
    )
    return RunSpec.load(Path(argv[-1]))


def test_the_mltable_is_read_with_its_paths_and_transformations() -> None:
    frame = read_table(load_table(SALES, "node"))

    assert list(frame.columns) == ["store", "week", "qty"]  # drop_columns: [note]
    assert frame["qty"].tolist() == [10, 11, 20, 21, 30, 12, 22, 31, 32, 13]  # files in order
    assert frame["qty"].dtype.kind == "i"


def test_mini_batch_size_is_an_approximate_size_in_bytes_of_the_tables_files() -> None:
    table = load_table(SALES, "node")  # 167 bytes, 10 rows: about 17 bytes a row

    batches = table_batches(table, 40, [])

    assert [payload["rows"] for payload, _ in batches] == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    assert [items for _, items in batches] == [2] * 5
    assert len(table_batches(table, DEFAULT_TABLE_BATCH_BYTES, [])) == 1
    assert [mini_batch_bytes(v, "n") for v in ("10kb", "1MB", "512", None)] == [
        10240,
        1024**2,
        512,
        DEFAULT_TABLE_BATCH_BYTES,
    ]
    with pytest.raises(MlopsError, match="approximate data size such as 10kb"):
        mini_batch_bytes("ten", "n")


def test_partition_keys_give_one_mini_batch_per_key_with_its_rows() -> None:
    table = load_table(SALES, "node")
    frame = read_table(table)

    batches = table_batches(table, 0, ["store"])

    keys = [payload["partition_key_value"] for payload, _ in batches]
    assert keys == [{"store": "north"}, {"store": "south"}, {"store": "west"}]
    north = frame.iloc[batches[0][0]["rows"]]
    assert north["store"].unique().tolist() == ["north"]
    assert north["qty"].tolist() == [10, 11, 12, 13]
    assert [items for _, items in batches] == [4, 3, 3]
    with pytest.raises(MlopsError, match="partition_keys region not among the table's columns"):
        table_batches(table, 0, ["region"])


def test_a_table_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    mltable = "paths:\n  - file: ./a.csv\ntransformations:\n  - read_delimited: {}\n"
    folder = make_table(tmp_path / "t", mltable, {"a.csv": 'a,b\n1,"unclosed\n'})
    with pytest.raises(MlopsError, match=r"the MLTable in .* cannot be read: ") as raised:
        table_batches(load_table(folder, "node"), 100, [])
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "path",
    [
        "file: ../secret.csv",
        "file: {outside}/secret.csv",
        "folder: {outside}",
        "pattern: ../*.csv",
        "pattern: {outside}/*.csv",
        "file: ./link.csv",
    ],
)
def test_a_path_outside_the_mltables_folder_is_refused_in_one_line(
    tmp_path: Path, path: str
) -> None:
    """Nothing reads outside the folder the user bound: `..`, an absolute path or a symlink
    that leads out of the MLTable's folder is refused before a row is read."""
    (tmp_path / "secret.csv").write_text("a\n1\n")
    read = "transformations:\n  - read_delimited: {}\n"
    mltable = f"paths:\n  - {path.format(outside=tmp_path)}\n{read}"
    folder = make_table(tmp_path / "t", mltable, {"a.csv": "a\n2\n"})
    (folder / "link.csv").symlink_to(tmp_path / "secret.csv")
    with pytest.raises(MlopsError, match=r"outside the MLTable's folder .* Fix: ") as raised:
        load_table(folder, "node")
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("path", ["file: ./sub/../a.csv", "pattern: {inside}/*.csv"])
def test_a_path_that_stays_inside_the_mltables_folder_is_read(tmp_path: Path, path: str) -> None:
    folder = tmp_path / "t"
    read = "transformations:\n  - read_delimited: {}\n"
    mltable = f"paths:\n  - {path.format(inside=folder.resolve())}\n{read}"
    make_table(folder, mltable, {"a.csv": "a\n2\n", "sub/b.txt": "x"})
    assert read_table(load_table(folder, "node"))["a"].tolist() == [2]


def test_keep_columns_naming_a_missing_column_is_one_line(tmp_path: Path) -> None:
    mltable = (
        "paths:\n  - file: ./a.csv\ntransformations:\n  - read_delimited: {}\n"
        "  - keep_columns: [a, z]\n"
    )
    folder = make_table(tmp_path / "t", mltable, {"a.csv": "a,b\n1,2\n"})
    with pytest.raises(
        MlopsError, match=r"cannot be read: keep_columns: z is not a column"
    ) as raised:
        table_batches(load_table(folder, "node"), 100, [])
    assert "\n" not in str(raised.value)


def test_partition_format_path_column_take_and_headerless_files(tmp_path: Path) -> None:
    mltable = """\
paths:
  - pattern: ./**/*.csv
transformations:
  - read_delimited:
      header: no_header
      include_path_column: true
  - extract_columns_from_partition_format:
      partition_format: "{region}/{file_name}.csv"
  - take: 3
  - keep_columns: [region, Column2, Path]
"""
    folder = make_table(
        tmp_path / "t", mltable, {"east/a.csv": "x,1\ny,2\n", "west/b.csv": "z,3\n"}
    )

    frame = read_table(load_table(folder, "node"))

    assert frame.to_dict("list") == {
        "region": ["east", "east", "west"],
        "Column2": [1, 2, 3],
        "Path": [str(folder / "east/a.csv")] * 2 + [str(folder / "west/b.csv")],
    }


@pytest.mark.parametrize(
    ("header", "columns", "first_column"),
    [
        # The other files have no header row: their first line is data, under the first's names.
        ("from_first_file", ["Path", "a", "b"], ["k", "l", "a", "m"]),
        # The other files' header rows are skipped; the first file's names hold.
        ("all_files_same_headers", ["Path", "a", "b"], ["k", "l", "m"]),
        # Every file has its own header row; the columns are their union, by name.
        ("all_files_different_headers", ["Path", "a", "b", "c"], ["k", "l", "m"]),
    ],
)
def test_the_header_option_says_which_files_have_a_header_row(
    tmp_path: Path, header: str, columns: list[str], first_column: list[str]
) -> None:
    mltable = (
        "paths:\n  - pattern: ./*.csv\ntransformations:\n"
        f"  - read_delimited:\n      header: {header}\n      include_path_column: true\n"
    )
    files = {"1.csv": "a,b\nk,x\nl,y\n", "2.csv": "a,c\nm,z\n"}
    folder = make_table(tmp_path / "t", mltable, files)

    frame = read_table(load_table(folder, "node"))

    assert list(frame.columns) == columns
    assert frame["a"].tolist() == first_column


def test_column_types_are_inferred_as_mltable_infers_them(tmp_path: Path) -> None:
    text = "flag,n,day,note\n1,2,2020-01-05,x\n0,0,1990-06-14,\n1,1,2021-12-31,NA\n"
    mltable = "paths:\n  - file: ./a.csv\ntransformations:\n  - read_delimited: {}\n"
    folder = make_table(tmp_path / "t", mltable, {"a.csv": text})

    frame = read_table(load_table(folder, "node"))

    assert frame["flag"].tolist() == [True, False, True]  # only 0 and 1: boolean
    assert frame["n"].dtype.kind == "i"
    assert frame["day"].dtype.kind == "M"
    assert frame["day"].dt.year.tolist() == [2020, 1990, 2021]
    assert frame["note"].isna().tolist() == [False, True, False]  # only an empty field
    assert frame["note"][2] == "NA"


@pytest.mark.parametrize(
    ("mltable", "message"),
    [
        (
            "paths:\n  - file: ./a.csv\ntransformations:\n  - read_delimited: {}\n"
            "  - filter: col('qty') > 10\n",
            "transformations: filter is not applied locally",
        ),
        (
            "paths:\n  - file: ./a.csv\ntransformations:\n  - read_delimited:\n"
            "      partition_size: 10\n",
            "read_delimited option partition_size is not applied locally",
        ),
        (
            "paths:\n  - folder: azureml://datastores/d/paths/x\n",
            "paths: folder azureml://datastores/d/paths/x is in the cloud",
        ),
        ("paths:\n  - file: ./missing.csv\n", "paths: file ./missing.csv matches no file"),
        ("paths: [file: ./a.csv\n", "MLTable:2: yaml: invalid YAML"),
        ("- file: ./a.csv\n", "an MLTable file is a mapping"),
    ],
)
def test_what_the_local_reader_cannot_apply_is_refused_when_the_node_starts(
    tmp_path: Path, mltable: str, message: str
) -> None:
    table = make_table(tmp_path / "t", mltable, {"a.csv": "qty\n1\n"})
    with pytest.raises(MlopsError, match=message) as raised:
        start_node(tmp_path, table, 'mini_batch_size: "1kb"')
    assert "\n" not in str(raised.value)


def test_the_spec_holds_the_table_the_size_in_bytes_and_the_partition_keys(tmp_path: Path) -> None:
    spec = start_node(tmp_path, SALES, "partition_keys: [store]")
    assert spec.partition_keys == ["store"]
    assert spec.table is not None and len(spec.table["files"]) == 2

    spec = start_node(tmp_path, SALES, 'mini_batch_size: "10kb"')
    assert (spec.mini_batch_size, spec.partition_keys) == (10240, [])

    with pytest.raises(MlopsError, match="partition_keys split a table"):
        start_node(tmp_path, SALES, "partition_keys: [store]", input_type="uri_folder")


def test_an_mltable_of_files_is_split_into_files_as_a_folder_is(tmp_path: Path) -> None:
    mltable = "paths:\n  - pattern: ./*.txt\n  - file: ./extra/c.csv\n"
    files = {"a.txt": "1\n", "b.txt": "2\n", "skip.csv": "3\n", "extra/c.csv": "4\n"}
    table = make_table(tmp_path / "t", mltable, files)

    spec = start_node(tmp_path, table, 'mini_batch_size: "2"')

    assert [(batch.payload, batch.items) for batch in mini_batches(spec)] == [
        ([str(table / "a.txt"), str(table / "b.txt")], 2),
        ([str(table / "extra" / "c.csv")], 1),
    ]


@pytest.mark.slow
def test_a_pipeline_splits_a_table_by_size_and_by_key(mlops_home: Path) -> None:
    from mlops.engine import create_job

    job = create_job(TABLES / "tables.yml")

    assert job["status"] == "Completed", job
    outputs = {name: Path(node["outputs"]["rows"]) for name, node in job["jobs"].items()}
    # tag, minibatch_index, partition, then the row (store week qty), then len(mini_batch)
    by_size = [line.split() for line in outputs["by_size"].read_text().splitlines()]
    quantities = [10, 11, 20, 21, 30, 12, 22, 31, 32, 13]
    assert [(row[1], row[5], row[6]) for row in by_size] == [
        (str(n // 2), str(qty), "2") for n, qty in enumerate(quantities)
    ]
    by_store = (outputs["by_store"] / "parallel_run_step.txt").read_text().splitlines()
    assert by_store == [
        "store 0 north north 1 10 4",
        "store 0 north north 2 11 4",
        "store 0 north north 3 12 4",
        "store 0 north north 4 13 4",
        "store 1 south south 1 20 3",
        "store 1 south south 2 21 3",
        "store 1 south south 3 22 3",
        "store 2 west west 1 30 3",
        "store 2 west west 2 31 3",
        "store 2 west west 3 32 3",
    ]
