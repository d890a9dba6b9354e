"""The zip check every uploaded xlsx passes before openpyxl sees it.

openpyxl trusts the archive: it loads the whole shared-string table when the workbook opens
(a 313 KB file can hold millions of strings: half a minute and hundreds of MB per upload)
and reads a read-only sheet lazily, so a member with a bad CRC fails in the middle of the
rows, outside any guard. Here every member is inflated once, in bounded chunks, before that:
its CRC checked, its size capped (by the directory and by what it really inflates to), and
the shared strings counted, stopping at the first byte past a limit.
"""

from __future__ import annotations

import io
import re
import zipfile

# A 5 MB xlsx inflating past this is not a spreadsheet of 2,000 nominations.
MAX_UNCOMPRESSED_BYTES = 80 * 1024 * 1024
# One sheet or the shared strings inflated: 2,000 rows of the widest template with every cell
# at its 500-character limit stay below it, and so does a sheet whose one over-long cell or
# row padding the reader refuses with its own, more precise message.
MAX_PART_BYTES = 40 * 1024 * 1024
# Any other part (styles, workbook, relationships, theme, properties, media): openpyxl parses
# the XML ones whole when the workbook opens, and Excel's own are a few hundred KB at most.
MAX_OTHER_PART_BYTES = 4 * 1024 * 1024
_BIG_PARTS = ("xl/worksheets/", "xl/sharedStrings.xml")
# Text cells of the largest sheet accepted: 2,000 data rows × 50 columns (templates have ≤ 13).
MAX_SHARED_STRINGS = 100_000
MAX_PARTS = 500  # a real workbook has a few dozen
_CHUNK = 1024 * 1024
# A shared string opens with <si …>, <si/> or a prefixed <x:si>. Counted in every part, not
# only the one [Content_Types].xml names, so that renaming the part does not hide it.
_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?si[\s/>]")
_SI_LONGEST = 40  # longest match of _SI: a chunk's last bytes are matched again with the next

CORRUPT = "文件已损坏或不是有效的xlsx文件，无法读取"
TOO_MUCH = "文件内容过大，无法读取，请只保留模板中的数据后再上传"
TOO_MANY_STRINGS = (
    f"文件中的文字条目过多（超过{MAX_SHARED_STRINGS}条），不是按模板填写的表格，"
    "请只保留模板中的数据后再上传"
)


class UnusableArchive(ValueError):
    """The archive cannot be read as an xlsx; `message` is the one line the user sees."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_archive(data: bytes) -> None:
    """Raise UnusableArchive unless `data` is a zip whose every member inflates intact and
    within the limits above."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            _check_directory(infos)
            strings = 0
            for info in infos:
                strings = _read_member(zf, info, strings)
    except UnusableArchive:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, NotImplementedError…
        raise UnusableArchive(CORRUPT) from exc


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    """What the zip's directory says, before anything is inflated."""
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise UnusableArchive("文件格式不正确：请上传Excel的xlsx文件（不支持xls、csv或其他格式）")
    if len(infos) > MAX_PARTS or len(names) != len(infos):  # a name twice is ambiguous too
        raise UnusableArchive(CORRUPT)
    if any(info.file_size > part_limit(info.filename) for info in infos):
        raise UnusableArchive(TOO_MUCH)
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise UnusableArchive(TOO_MUCH)
    for info in infos:
        # Excel writes deflate only; bzip2 and lzma inflate a whole block per call, unbounded.
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnusableArchive(CORRUPT)
        if info.flag_bits & 0x1:  # encrypted: openpyxl cannot read it either
            raise UnusableArchive("文件已加密，请取消密码保护后再上传")


def part_limit(name: str) -> int:
    """The most bytes the part `name` may inflate to."""
    return MAX_PART_BYTES if name.startswith(_BIG_PARTS) else MAX_OTHER_PART_BYTES


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, strings: int) -> int:
    """Inflate one member (zipfile checks its CRC at the end and never inflates past the
    size the directory gives); return the shared strings counted so far."""
    limit = part_limit(info.filename)
    size = 0
    tail = b""
    with zf.open(info) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise UnusableArchive(TOO_MUCH)
            text = tail + chunk
            safe = max(0, len(text) - _SI_LONGEST)
            strings += sum(1 for m in _SI.finditer(text) if m.start() < safe)
            if strings > MAX_SHARED_STRINGS:
                raise UnusableArchive(TOO_MANY_STRINGS)
            tail = text[safe:]
    strings += len(_SI.findall(tail))
    if strings > MAX_SHARED_STRINGS:
        raise UnusableArchive(TOO_MANY_STRINGS)
    return strings
