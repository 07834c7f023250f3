import json

from mlops.cli.output import emit, render


def test_query_and_tsv_match_az(capsys):
    emit({"primaryKey": "abc", "secondaryKey": "def"}, query="primaryKey", output_format="tsv")
    assert capsys.readouterr().out == "abc\n"


def test_json_is_default_and_parses():
    data = [{"name": "m", "version": "2"}]
    assert json.loads(render(data)) == data


def test_table_has_header_and_rows():
    lines = render(
        [{"name": "a", "version": 1}, {"name": "bb", "version": 2}], "table"
    ).splitlines()
    assert lines[0].split() == ["name", "version"]
    assert lines[2].split() == ["a", "1"] and lines[3].split() == ["bb", "2"]
