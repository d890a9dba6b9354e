"""Working years (工作年度): open the next year from the previous one and edit it.

Services take a Session, an Actor and plain data, and audit every change; the bureau
page and ``expertpool year`` call the same functions."""

from expertpool.services.years.common import (
    TABLE_COLUMNS,
    CommitteeYearInput,
    clean_year_data,
    split_specialties,
)
from expertpool.services.years.editing import (
    NewCommittee,
    add_committee,
    edit_committee_year,
    retire_committee,
    year_meetings,
)
from expertpool.services.years.opening import YearRow, list_years, open_year, shown_year
from expertpool.services.years.phases import (
    is_frozen,
    opening_effects,
    selectable_years,
    year_phase,
)
from expertpool.services.years.table import (
    HEADERS,
    ImportResult,
    TableRow,
    TableRowErrors,
    import_table,
    read_table,
)

__all__ = [
    "HEADERS",
    "TABLE_COLUMNS",
    "CommitteeYearInput",
    "ImportResult",
    "NewCommittee",
    "TableRow",
    "TableRowErrors",
    "YearRow",
    "add_committee",
    "clean_year_data",
    "edit_committee_year",
    "import_table",
    "is_frozen",
    "list_years",
    "open_year",
    "opening_effects",
    "read_table",
    "retire_committee",
    "selectable_years",
    "shown_year",
    "split_specialties",
    "year_meetings",
    "year_phase",
]
