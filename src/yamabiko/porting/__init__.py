"""Moving in and out: WordPress WXR and Movable Type import and export, and a native export.

The parsers are pure and streaming: `parse_wxr` reads WordPress WXR, `parse_mt` the Movable
Type text format; both yield the neutral records defined in `records`. The app's one model,
`ImportedItem`, remembers what each import brought in so that a second import is idempotent.
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
    SiteField,
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
    "SiteField",
    "SkippedItem",
    "detect_encoding",
    "parse_mt",
    "parse_wxr",
]
