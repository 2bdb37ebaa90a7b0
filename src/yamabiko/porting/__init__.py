"""Import and export formats (issue 7): pure, streaming parsers producing neutral records.

Not a Django app yet: no models. `parse_wxr` reads WordPress WXR, `parse_mt` the Movable Type
text format; both yield the records defined in `records`.
"""

from yamabiko.porting.mt import detect_encoding, parse_mt
from yamabiko.porting.records import (
    Attachment,
    ImportedAuthor,
    ImportedCategory,
    ImportedComment,
    ImportedPost,
    ImportedTag,
    ImportWarning,
    ParseError,
    SkippedItem,
)
from yamabiko.porting.wxr import parse_wxr

__all__ = [
    "Attachment",
    "ImportWarning",
    "ImportedAuthor",
    "ImportedCategory",
    "ImportedComment",
    "ImportedPost",
    "ImportedTag",
    "ParseError",
    "SkippedItem",
    "detect_encoding",
    "parse_mt",
    "parse_wxr",
]
