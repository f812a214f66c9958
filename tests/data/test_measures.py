"""Reading BI extracts with qilab.read_measures: cleaning, and clear errors for bad files."""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import qilab
from qilab import QIDataError, QIWarning
from qilab.data.measures import SCHEMA


def write(tmp_path: Path, text: str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_schema_and_cleaning_from_csv(tmp_path):
    path = write(tmp_path, "indicator,organisation,period,value\n"
                           "4h,RQM,01/04/2024,95.2%\n"
                           "4h,RQM,01/05/2024,\"1,234\"\n"
                           "4h,RRK,01/04/2024,88\n")
    tidy = qilab.read_measures(path)
    assert tuple(tidy.columns) == SCHEMA
    assert tidy["value"].tolist() == [95.2, 1234.0, 88.0]
    assert [str(d.date()) for d in tidy["period"]] == ["2024-04-01", "2024-05-01",
                                                       "2024-04-01"]
    assert tidy["organisation"].tolist() == ["RQM", "RQM", "RRK"]
    assert tidy["numerator"].isna().all() and tidy["denominator"].isna().all()
    assert pd.api.types.is_datetime64_any_dtype(tidy["period"])


@pytest.mark.parametrize("periods, expected", [
    (["2024-01-31", "2024-02-29"], ["2024-01-31", "2024-02-29"]),
    (["31/01/2024", "29/02/2024"], ["2024-01-31", "2024-02-29"]),
    (["Jan 2024", "February 2024"], ["2024-01-01", "2024-02-01"]),
    (["2024-01", "2024-02"], ["2024-01-01", "2024-02-01"]),
    (["45292", "45323"], ["2024-01-01", "2024-02-01"]),
    (["Jan-24", "Feb-24"], ["2024-01-01", "2024-02-01"]),
    (["1 Jan 2024", "1 Feb 2024"], ["2024-01-01", "2024-02-01"]),
])
def test_date_styles(tmp_path, periods, expected):
    body = "".join(f"x,\"{p}\",{i}\n" for i, p in enumerate(periods))
    tidy = qilab.read_measures(write(tmp_path, "indicator,period,value\n" + body))
    assert [str(d.date()) for d in tidy["period"]] == expected


def test_us_dates_with_dayfirst_false(tmp_path):
    path = write(tmp_path, "period,value\n01/31/2024,1\n02/29/2024,2\n")
    tidy = qilab.read_measures(path, dayfirst=False)
    assert [str(d.date()) for d in tidy["period"]] == ["2024-01-31", "2024-02-29"]
    with pytest.raises(QIDataError, match=r"row 2.*dayfirst=False"):
        qilab.read_measures(path)


def test_numerator_and_denominator_give_a_proportion(tmp_path):
    path = write(tmp_path, "period,seen,attended\n2024-01-01,\"1,900\",\"2,000\"\n"
                           "2024-02-01,45,50\n")
    tidy = qilab.read_measures(path, numerator="seen", denominator="attended")
    assert tidy["value"].tolist() == pytest.approx([0.95, 0.9])
    assert tidy["numerator"].tolist() == [1900, 45]
    assert tidy["indicator"].tolist() == ["value", "value"]  # no indicator column
    assert tidy["organisation"].tolist() == ["All", "All"]


def test_excel_with_dates_serials_and_sheet(tmp_path):
    path = tmp_path / "extract.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame({"Indicator": ["beds", "beds"],
                      "Period": [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")],
                      "Value": [10, "1,200"]}).to_excel(xl, sheet_name="Data", index=False)
        pd.DataFrame({"period": [45292, 45323], "value": [1.5, 2.5]}).to_excel(
            xl, sheet_name="Serials", index=False)
    tidy = qilab.read_measures(path, sheet="Data")
    assert tidy["value"].tolist() == [10.0, 1200.0]
    assert tidy["indicator"].tolist() == ["beds", "beds"]
    serials = qilab.read_measures(path, sheet="Serials")
    assert [str(d.date()) for d in serials["period"]] == ["2024-01-01", "2024-02-01"]
    with pytest.raises(QIDataError, match="no sheet 'Nope'.*'Data', 'Serials'"):
        qilab.read_measures(path, sheet="Nope")


def test_excel_text_error_names_the_spreadsheet_row(tmp_path):
    path = tmp_path / "bad.xlsx"
    pd.DataFrame({"period": ["2024-01-01", "2024-02-01", "2024-03-01"],
                  "value": [1, 2, "n/k"]}).to_excel(path, index=False)
    with pytest.raises(QIDataError, match=r"'value'.*'n/k' in row 4") as err:
        qilab.read_measures(path)
    assert err.value.row == 4 and err.value.column == "value"


def test_dataframe_input_and_result_feeds_mdc():
    months = pd.date_range("2023-01-01", periods=14, freq="MS")
    df = pd.DataFrame({"indicator": ["a"] * 14 + ["b"] * 14,
                       "period": [f"{m:%b %Y}" for m in months] * 2,
                       "value": [f"{v}%" for v in range(50, 64)] * 2})
    tidy = qilab.read_measures(df)
    res = qilab.mdc(tidy, "value", "period", facet="indicator")
    assert res.summary["facet"].tolist() == ["a", "b"]
    assert res.summary["latest"].tolist() == [63.0, 63.0]


# ---- bad input ------------------------------------------------------------------------------

def test_missing_column_lists_the_columns_found(tmp_path):
    path = write(tmp_path, "month,count\n2024-01-01,1\n")
    with pytest.raises(QIDataError, match=r"no column 'period'.*'month', 'count'"):
        qilab.read_measures(path)


def test_text_in_number_column(tmp_path):
    path = write(tmp_path, "period,value\n2024-01-01,1\n2024-02-01,two\n")
    with pytest.raises(QIDataError, match=r"'two' in row 3") as err:
        qilab.read_measures(path)
    assert err.value.row == 3 and err.value.column == "value"


def test_decimal_comma_gets_a_hint(tmp_path):
    path = write(tmp_path, "period,value\n2024-01-01,\"1,5\"\n")
    with pytest.raises(QIDataError, match="decimal comma"):
        qilab.read_measures(path)


def test_unreadable_date(tmp_path):
    path = write(tmp_path, "period,value\n2024-01-01,1\nsoon,2\n")
    with pytest.raises(QIDataError, match=r"'soon' in row 3"):
        qilab.read_measures(path)


def test_impossible_uk_date(tmp_path):
    path = write(tmp_path, "period,value\n31/02/2024,1\n")
    with pytest.raises(QIDataError, match=r"'31/02/2024' in row 2"):
        qilab.read_measures(path)


def test_mixed_date_styles(tmp_path):
    path = write(tmp_path, "period,value\n2024-01-01,1\n01/02/2024,2\n")
    with pytest.raises(QIDataError, match=r"mixes date styles.*row 3") as err:
        qilab.read_measures(path)
    assert err.value.row == 3


def test_numerator_larger_than_denominator(tmp_path):
    path = write(tmp_path, "period,n,d\n2024-01-01,5,10\n2024-02-01,11,10\n")
    with pytest.raises(QIDataError, match=r"'n' is larger than 'd' in row 3"):
        qilab.read_measures(path, numerator="n", denominator="d")


@pytest.mark.parametrize("den, message", [("0", "is 0 in row 3"), ("", "is blank but")])
def test_zero_or_missing_denominator(tmp_path, den, message):
    path = write(tmp_path, f"period,n,d\n2024-01-01,5,10\n2024-02-01,1,{den}\n")
    with pytest.raises(QIDataError, match=message) as err:
        qilab.read_measures(path, numerator="n", denominator="d")
    assert err.value.row == 3 and err.value.column == "d"


def test_duplicate_rows(tmp_path):
    path = write(tmp_path, "indicator,organisation,period,value\n"
                           "a,X,2024-01-01,1\na,X,2024-02-01,2\na,X,2024-01-01,3\n")
    with pytest.raises(QIDataError, match=r"more than once.*'a', 'X', 2024-01-01 in rows 2, 4"):
        qilab.read_measures(path)


def test_blank_values_are_reported_and_kept(tmp_path):
    path = write(tmp_path, "period,value\n2024-01-01,1\n2024-02-01,\n2024-03-01,N/A\n"
                           "2024-04-01,4\n")
    with pytest.warns(QIWarning, match=r"2 row\(s\).*rows 3, 4"):
        tidy = qilab.read_measures(path)
    assert len(tidy) == 4
    assert tidy["value"].isna().tolist() == [False, True, True, False]


def test_blank_lines_are_reported_and_row_numbers_stay_true(tmp_path):
    path = write(tmp_path, "period,value\n2024-01-01,1\n,\n2024-03-01,x\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(QIDataError, match=r"'x' in row 4"):
            qilab.read_measures(path)
    assert any("blank row" in str(w.message) and "row 3" in str(w.message) for w in caught)


def test_blank_period_is_an_error(tmp_path):
    path = write(tmp_path, "period,value\n2024-01-01,1\n,2\n")
    with pytest.raises(QIDataError, match=r"'period' is blank in row 3"):
        qilab.read_measures(path)


def test_dataframe_errors_name_the_index_label():
    df = pd.DataFrame({"period": ["2024-01-01", "2024-02-01"], "value": ["1", "lots"]},
                      index=[10, 11])
    with pytest.raises(QIDataError, match="index 11"):
        qilab.read_measures(df)


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(QIDataError, match="no file"):
        qilab.read_measures(tmp_path / "nope.csv")
    with pytest.raises(QIDataError, match="file path or a DataFrame"):
        qilab.read_measures(42)


def test_numerator_without_denominator(tmp_path):
    path = write(tmp_path, "period,n,d\n2024-01-01,5,10\n")
    with pytest.raises(QIDataError, match="needs a denominator"):
        qilab.read_measures(path, numerator="n")


def test_header_only(tmp_path):
    with pytest.raises(QIDataError, match="no data rows"):
        qilab.read_measures(write(tmp_path, "period,value\n"))
