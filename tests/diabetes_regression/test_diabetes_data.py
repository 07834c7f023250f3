"""The data contract, the split and the sample data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from diabetes_regression.data import (
    EXPECTED_COLUMNS,
    DataContractError,
    check_contract,
    content_hash,
    read_data,
    split_data,
)
from diabetes_regression.make_sample_data import main as make_sample_data

COLUMN_LIST = "age, sex, bmi, bp, s1, s2, s3, s4, s5, s6, Y"


def test_contract_accepts_good_rows_in_contract_order(three_rows: pd.DataFrame) -> None:
    shuffled = three_rows[list(reversed(EXPECTED_COLUMNS))]
    checked = check_contract(shuffled, "a.csv")
    assert list(checked.columns) == list(EXPECTED_COLUMNS)
    assert checked["Y"].tolist() == [100.0, 101.0, 102.0]


def test_contract_names_missing_columns(three_rows: pd.DataFrame) -> None:
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows.drop(columns=["bmi", "Y"]), "a.csv")
    assert str(error.value) == f"a.csv: missing columns: bmi, Y. Expected columns: {COLUMN_LIST}."


def test_contract_names_unexpected_columns(three_rows: pd.DataFrame) -> None:
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows.assign(weight=1.0), "a.csv")
    assert (
        str(error.value) == f"a.csv: unexpected columns: weight. Expected columns: {COLUMN_LIST}."
    )


def test_contract_names_first_missing_value(three_rows: pd.DataFrame) -> None:
    three_rows.loc[1:2, "bp"] = None
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows, "a.csv")
    assert str(error.value) == "a.csv: column 'bp' has 2 missing values, the first in data row 2."


def test_contract_names_non_numeric_value(three_rows: pd.DataFrame) -> None:
    three_rows["s3"] = three_rows["s3"].astype(object)
    three_rows.loc[2, "s3"] = "high"
    with pytest.raises(DataContractError) as error:
        check_contract(three_rows, "a.csv")
    assert str(error.value) == "a.csv: column 's3' is not numeric: 'high' in data row 3."


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
    assert read_data(tmp_path)["Y"].tolist() == [100.0, 101.0, 102.0]


def test_split_is_seeded_disjoint_and_complete(three_rows: pd.DataFrame) -> None:
    train, test = split_data(three_rows, test_size=0.34, seed=7)
    again_train, again_test = split_data(three_rows, test_size=0.34, seed=7)
    assert (len(train), len(test)) == (1, 2)
    assert train.equals(again_train) and test.equals(again_test)
    assert sorted([*train["Y"], *test["Y"]]) == [100.0, 101.0, 102.0]


def test_split_changes_with_the_seed() -> None:
    frame = pd.DataFrame({column: range(100) for column in EXPECTED_COLUMNS}, dtype=float)
    first = split_data(frame, 0.2, seed=1)[1]["Y"].tolist()
    second = split_data(frame, 0.2, seed=2)[1]["Y"].tolist()
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
    (tmp_path / "a.csv").write_text((tmp_path / "a.csv").read_text().replace("100.0", "99.0"))
    assert content_hash(tmp_path) != before


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
    three_rows.drop(columns=["Y"]).to_csv(raw / "bad.csv", index=False)
    command = [sys.executable, "-m", "diabetes_regression.prep_data", "--raw_data", str(raw)]
    command += ["--train_data", str(tmp_path / "train"), "--test_data", str(tmp_path / "test")]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"ERROR: {raw / 'bad.csv'}: missing columns: Y. Expected columns: {COLUMN_LIST}.\n"
    )
    assert not (tmp_path / "train").exists()
