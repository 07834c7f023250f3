"""The data contract and the split, whatever columns the project declares; then the sample data
(sample_only: delete or adapt those tests when you replace the sample)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diabetes_regression import data, prep_data
from diabetes_regression.data import (
    EXPECTED_COLUMNS,
    FEATURE_COLUMNS,
    TARGET_COLUMN,
    DataContractError,
    check_contract,
    content_hash,
    read_data,
    split_data,
)
from diabetes_regression.make_sample_data import main as make_sample_data

COLUMN_LIST = ", ".join(EXPECTED_COLUMNS)
FIRST, SECOND, LAST = FEATURE_COLUMNS[0], FEATURE_COLUMNS[1], FEATURE_COLUMNS[-1]


def test_contract_accepts_good_rows_in_contract_order(three_rows: pd.DataFrame) -> None:
    shuffled = three_rows[list(reversed(EXPECTED_COLUMNS))]
    checked = check_contract(shuffled, "a.csv")
    assert list(checked.columns) == list(EXPECTED_COLUMNS)
    assert checked[TARGET_COLUMN].tolist() == three_rows[TARGET_COLUMN].tolist()
    assert {dtype.kind for dtype in checked.dtypes[list(FEATURE_COLUMNS)]} == {"f"}


def test_contract_names_missing_columns(three_rows: pd.DataFrame) -> None:
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows.drop(columns=[SECOND, TARGET_COLUMN]), "a.csv")
    assert str(error.value) == (
        f"a.csv: missing columns: {SECOND}, {TARGET_COLUMN}. Expected columns: {COLUMN_LIST}."
    )


def test_contract_names_unexpected_columns(three_rows: pd.DataFrame) -> None:
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows.assign(weight=1.0), "a.csv")
    assert (
        str(error.value) == f"a.csv: unexpected columns: weight. Expected columns: {COLUMN_LIST}."
    )


def test_contract_names_first_missing_value(three_rows: pd.DataFrame) -> None:
    three_rows.loc[1:2, LAST] = None
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows, "a.csv")
    assert str(error.value) == (
        f"a.csv: column '{LAST}' has 2 missing values, the first in data row 2."
    )


def test_contract_names_non_numeric_value(three_rows: pd.DataFrame) -> None:
    three_rows[LAST] = three_rows[LAST].astype(object)
    three_rows.loc[2, LAST] = "high"
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows, "a.csv")
    assert str(error.value) == f"a.csv: column '{LAST}' is not numeric: 'high' in data row 3."


def test_a_number_target_must_be_numeric(
    three_rows: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "TARGET_KIND", "number")
    three_rows[TARGET_COLUMN] = ["1.5", "2", "many"]
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows, "a.csv")
    assert str(error.value) == (
        f"a.csv: column '{TARGET_COLUMN}' is not numeric: 'many' in data row 3."
    )


@pytest.mark.parametrize(
    ("labels", "kind"), [([2, 0, 1], "i"), (["cat", "dog", "cat"], "O")], ids=["int", "text"]
)
def test_a_label_target_keeps_its_values_as_they_are(
    three_rows: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    labels: list[object],
    kind: str,
) -> None:
    monkeypatch.setattr(data, "TARGET_KIND", "label")
    three_rows[TARGET_COLUMN] = labels
    three_rows.to_csv(tmp_path / "a.csv", index=False)
    checked = read_data(tmp_path)
    assert checked[TARGET_COLUMN].tolist() == labels
    assert checked[TARGET_COLUMN].dtype.kind == kind
    assert {dtype.kind for dtype in checked.dtypes[list(FEATURE_COLUMNS)]} == {"f"}


def test_a_label_target_may_not_be_missing(
    three_rows: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "TARGET_KIND", "label")
    three_rows[TARGET_COLUMN] = ["cat", None, "dog"]
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows, "a.csv")
    assert str(error.value) == (
        f"a.csv: column '{TARGET_COLUMN}' has 1 missing value, the first in data row 2."
    )


def test_contract_refuses_no_rows(three_rows: pd.DataFrame) -> None:
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows.iloc[:0], "a.csv")
    assert str(error.value) == "a.csv: no rows; the data needs at least one row per split."


def test_read_data_refuses_empty_file_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(DataContractError) as error:
        read_data(tmp_path)
    assert str(error.value) == f"{tmp_path}: no .csv file found; put the data there as CSV."
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataContractError) as error:
        read_data(tmp_path)
    assert str(error.value) == f"{tmp_path / 'empty.csv'}: the file is empty."


def test_read_data_concatenates_files_in_name_order(
    tmp_path: Path, three_rows: pd.DataFrame
) -> None:
    three_rows.iloc[2:].to_csv(tmp_path / "b.csv", index=False)
    three_rows.iloc[:2].to_csv(tmp_path / "a.csv", index=False)
    assert read_data(tmp_path)[TARGET_COLUMN].tolist() == three_rows[TARGET_COLUMN].tolist()


def test_split_is_seeded_disjoint_and_complete(three_rows: pd.DataFrame) -> None:
    train, test = split_data(three_rows, test_size=0.34, seed=7)
    again_train, again_test = split_data(three_rows, test_size=0.34, seed=7)
    assert (len(train), len(test)) == (1, 2)
    assert train.equals(again_train) and test.equals(again_test)
    assert sorted([*train[FIRST], *test[FIRST]]) == sorted(three_rows[FIRST])


def test_split_changes_with_the_seed() -> None:
    frame = pd.DataFrame({column: range(100) for column in EXPECTED_COLUMNS}, dtype=float)
    first = split_data(frame, 0.2, seed=1)[1][FIRST].tolist()
    second = split_data(frame, 0.2, seed=2)[1][FIRST].tolist()
    assert len(first) == 20 and first != second


@pytest.mark.parametrize(
    ("test_size", "message"),
    [
        (0.0, "test_size must be between 0 and 1 (exclusive), got 0.0."),
        (1.0, "test_size must be between 0 and 1 (exclusive), got 1.0."),
        (
            0.9,
            "test_size 0.9 of 3 rows leaves no training rows; "
            "use more data or a smaller test_size.",
        ),
    ],
)
def test_split_refuses_bad_test_size(
    three_rows: pd.DataFrame, test_size: float, message: str
) -> None:
    with pytest.raises(DataContractError) as error:
        split_data(three_rows, test_size, seed=0)
    assert str(error.value) == message


def test_content_hash_follows_content(tmp_path: Path, three_rows: pd.DataFrame) -> None:
    three_rows.to_csv(tmp_path / "a.csv", index=False)
    before = content_hash(tmp_path)
    assert content_hash(tmp_path) == before
    three_rows.iloc[:2].to_csv(tmp_path / "a.csv", index=False)
    assert content_hash(tmp_path) != before


@pytest.mark.sample_only
@pytest.mark.sample_only("data")
def test_committed_sample_data_is_what_the_documented_command_writes(
    tmp_path: Path, sample_data: Path
) -> None:
    output = tmp_path / "diabetes.csv"
    assert make_sample_data(["--output", str(output)]) == 0
    assert output.read_bytes() == (sample_data / "diabetes.csv").read_bytes()
    frame = read_data(sample_data)
    assert frame.shape == (442, 11)
    assert frame["Y"].between(25, 346).all()


def test_prep_data_exits_with_one_line_for_bad_data(
    tmp_path: Path, three_rows: pd.DataFrame
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    three_rows.drop(columns=[TARGET_COLUMN]).to_csv(raw / "bad.csv", index=False)
    argv = ["--raw_data", str(raw), "--train_data", str(tmp_path / "train")]
    argv += ["--test_data", str(tmp_path / "test")]
    # In-process, as its sibling tests: a SystemExit with a text is what a process prints on
    # stderr, exiting 1 (the pipeline tests run the step as a process).
    with pytest.raises(SystemExit) as exit_info:
        prep_data.main(argv)
    assert exit_info.value.code == (
        f"ERROR: {raw / 'bad.csv'}: missing columns: {TARGET_COLUMN}. "
        f"Expected columns: {COLUMN_LIST}."
    )
    assert not (tmp_path / "train").exists()
